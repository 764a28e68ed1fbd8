#!/usr/bin/python3
"""Drive a real LibreOffice Calc over UNO to fill, recalculate and re-save xlsx files.

    /usr/bin/python3 tests/lo_driver.py JOBS.json RESULTS.json     (system Python: has `uno`)

JOBS.json: [{"input": "/abs/in.xlsx", "output": "/abs/out.xlsx", "ops": [...]}, ...]; ops in order:
  {"op": "type", "sheet": S, "cell": "E12", "text": "5"}   like a user: select the cell and type
        ("" = press Delete). Respects protection: a locked cell of a protected sheet is refused.
  {"op": "force", "sheet": S, "cell": "E12", "value": 97}  API write, ignores protection: number,
        string, or "=formula" in xlsx syntax (as given to XlsxWriter: commas, '_xlfn.' prefixes).
  {"op": "unprotect", "sheet": S, "password": ""}      {"op": "unprotect_workbook", "password": ""}
  {"op": "read", "sheet": S, "cell": "E12"}
Documents load hidden and recalculate on load (profile with OOXMLRecalcMode=0); after the ops
calculateAll() runs and the document is saved as xlsx. RESULTS.json, one entry per job, rewritten
after every job so it stays valid if the run is cut short:
  {"input", "output", "ok", "error": traceback or null,
   "reads": [{"cell", "type": VALUE|TEXT|FORMULA|EMPTY, "value", "string",
              "formula" (LibreOffice syntax), "formula_xlsx" (xlsx syntax, "" if no formula)}],
   "typed": [{"sheet", "cell", "text", "accepted": false if LibreOffice refused the input}]}
Standard library + uno only; exit status 0 when every job succeeded.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import uno
import unohelper
from com.sun.star.beans import PropertyValue
from com.sun.star.frame import XStatusListener
from com.sun.star.util import URL

CONNECT_TIMEOUT = 60                                                    # s: start + connect
JOB_TIMEOUT = float(os.environ.get("LO_DRIVER_JOB_TIMEOUT", 120))       # s per job
TOTAL_TIMEOUT = float(os.environ.get("LO_DRIVER_TOTAL_TIMEOUT", 1800))  # s for the whole run
XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" \
oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""  # UseLocking=false: no .~lock files next to inputs (a stale lock makes loading fail)


def props(**kw):
    """Keyword arguments -> tuple of PropertyValue, as UNO calls expect."""
    out = []
    for name, value in kw.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        out.append(p)
    return tuple(out)


class Office:
    """One headless soffice with a throwaway profile, in its own process group."""
    proc = profile = ctx = desktop = dispatcher = urls = None

    def start(self):
        self.profile = tempfile.mkdtemp(prefix="lodrv-profile-")
        os.makedirs(os.path.join(self.profile, "user"))
        with open(os.path.join(self.profile, "user", "registrymodifications.xcu"), "w") as f:
            f.write(XCU)
        with socket.socket() as s:                  # let the OS pick a free port
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            ["soffice", "-env:UserInstallation=" + uno.systemPathToFileUrl(self.profile),
             "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
             "--accept=socket,host=127.0.0.1,port=%d;urp;" % port],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)                 # group = oosplash + soffice.bin
        watchdog = threading.Timer(CONNECT_TIMEOUT + 5, self.kill)  # resolve() has no timeout
        watchdog.start()
        try:
            local = uno.getComponentContext()
            resolver = local.ServiceManager.createInstanceWithContext(
                "com.sun.star.bridge.UnoUrlResolver", local)
            deadline = time.monotonic() + CONNECT_TIMEOUT
            while True:
                try:
                    self.ctx = resolver.resolve(
                        "uno:socket,host=127.0.0.1,port=%d;urp;StarOffice.ComponentContext" % port)
                    break
                except Exception:                   # NoConnectException while starting up
                    if self.proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("could not connect to soffice (exit status %s)"
                                           % self.proc.poll())
                    time.sleep(0.25)
            make = lambda name: self.ctx.ServiceManager.createInstanceWithContext(name, self.ctx)
            self.desktop = make("com.sun.star.frame.Desktop")
            self.dispatcher = make("com.sun.star.frame.DispatchHelper")
            self.urls = make("com.sun.star.util.URLTransformer")
        finally:
            watchdog.cancel()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)   # only the group we started
            except ProcessLookupError:
                pass

    def stop(self):
        """XDesktop.terminate(), kill whatever is left after a few seconds, remove the profile."""
        try:
            if self.alive() and self.desktop is not None:
                t = threading.Thread(target=self._terminate, daemon=True)
                t.start()
                t.join(5)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            self.kill()
            for _ in range(50):                     # wait (<= 5 s) until the group is gone
                if self.proc is None or not self._group_exists():
                    break
                self.proc.poll()                    # reap oosplash
                time.sleep(0.1)
            if self.profile:
                shutil.rmtree(self.profile, ignore_errors=True)
            self.proc = self.profile = self.ctx = self.desktop = self.dispatcher = None

    def _group_exists(self):
        try:
            os.killpg(self.proc.pid, 0)
            return True
        except ProcessLookupError:
            return False

    def _terminate(self):
        try:
            self.desktop.terminate()
        except Exception:                           # the bridge dies as soffice exits
            pass


class _StateListener(unohelper.Base, XStatusListener):
    def __init__(self):
        self.event, self.enabled = threading.Event(), None

    def statusChanged(self, ev):
        self.enabled = ev.IsEnabled
        self.event.set()

    def disposing(self, ev):
        pass


def command_enabled(office, frame, command):
    """Is a dispatcher command (e.g. .uno:ClearContents) enabled for the current selection?"""
    url = URL()
    url.Complete = command
    url = office.urls.parseStrict(url)[1]
    dispatch = frame.queryDispatch(url, "", 0)
    if dispatch is None:
        return False
    listener = _StateListener()
    dispatch.addStatusListener(listener, url)       # LibreOffice sends the state right away
    try:
        if not listener.event.wait(10):
            raise RuntimeError("no state received for " + command)
    finally:
        dispatch.removeStatusListener(listener, url)
    return bool(listener.enabled)


def type_into(office, doc, sheet, cell, text):
    """Select `cell` and type `text` ("" = Delete key). Returns False if LibreOffice refuses.

    LibreOffice decides, not us: on a cell the user may not edit (sheet protection + Locked) it
    disables Delete/Cut/ClearContents. We ask that state before typing because a refused
    .uno:EnterString opens the info box "Protected cells can not be modified." which headless
    LibreOffice 7.4 cannot cope with: the next dialog (or dismissing it) kills soffice."""
    controller = doc.getCurrentController()
    frame = controller.getFrame()
    controller.setActiveSheet(sheet)
    office.dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, props(ToPoint=cell))
    if not command_enabled(office, frame, ".uno:ClearContents"):
        return False
    if text == "":
        office.dispatcher.executeDispatch(frame, ".uno:ClearContents", "", 0, ())
    else:
        office.dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, props(StringName=text))
    return True


def xlsx_formula_parser(doc):
    """A FormulaParser speaking the formula syntax stored in xlsx files (OOXML, A1, commas)."""
    parser = doc.createInstance("com.sun.star.sheet.FormulaParser")
    mapper = doc.createInstance("com.sun.star.sheet.FormulaOpCodeMapper")
    opmap = mapper.getAvailableMappings(
        uno.getConstantByName("com.sun.star.sheet.FormulaLanguage.OOXML"),
        uno.getConstantByName("com.sun.star.sheet.FormulaMapGroup.ALL_EXCEPT_SPECIAL"))
    uno.invoke(parser, "setPropertyValue",
               ("OpCodeMap", uno.Any("[]com.sun.star.sheet.FormulaOpCodeMapEntry", opmap)))
    parser.setPropertyValue("FormulaConvention",
                            uno.getConstantByName("com.sun.star.sheet.AddressConvention.XL_OOX"))
    parser.setPropertyValue("CompileEnglish", True)
    return parser


def run_job(office, job, reads, typed):
    """Load, apply the ops, recalculate, save, close. Appends to reads/typed; raises on error."""
    doc = office.desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(os.path.abspath(job["input"])), "_blank", 0, props(Hidden=True))
    if doc is None:
        raise RuntimeError("LibreOffice could not load " + job["input"])
    try:
        parser = xlsx_formula_parser(doc)
        for op in job.get("ops", []):
            if op["op"] == "unprotect_workbook":
                if doc.isProtected():
                    doc.unprotect(op.get("password", ""))
                continue
            if not doc.Sheets.hasByName(op["sheet"]):
                raise KeyError("no sheet %r in %s" % (op["sheet"], job["input"]))
            sheet = doc.Sheets.getByName(op["sheet"])
            if op["op"] == "unprotect":
                sheet.unprotect(op.get("password", ""))   # wrong password: IllegalArgument
                continue
            cell = sheet.getCellRangeByName(op["cell"])
            pos = cell.getCellAddress()                   # a table.CellAddress
            if op["op"] == "type":
                ok = type_into(office, doc, sheet, op["cell"], op["text"])
                typed.append({"sheet": op["sheet"], "cell": op["cell"], "text": op["text"],
                              "accepted": ok})
            elif op["op"] == "force":
                value = op["value"]
                if isinstance(value, str) and value.startswith("="):
                    cell.setTokens(parser.parseFormula(value, pos))
                elif isinstance(value, str):
                    cell.setString(value)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell.setValue(value)
                else:
                    raise TypeError("force value must be a number or a string: %r" % (value,))
            elif op["op"] == "read":
                kind = cell.getType().value               # EMPTY, VALUE, TEXT or FORMULA
                reads.append({"cell": op["cell"], "type": kind, "value": cell.getValue(),
                              "string": cell.getString(), "formula": cell.getFormula(),
                              "formula_xlsx": "=" + parser.printFormula(cell.getTokens(), pos)
                              if kind == "FORMULA" else ""})
            else:
                raise ValueError("unknown op %r" % op["op"])
        doc.calculateAll()
        out = os.path.abspath(job["output"])
        os.makedirs(os.path.dirname(out), exist_ok=True)
        doc.storeToURL(uno.systemPathToFileUrl(out),
                       props(FilterName="Calc MS Excel 2007 XML", Overwrite=True))
    finally:
        try:
            doc.close(True)
        except Exception:
            pass


def write_results(path, results):
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=2)
    os.replace(path + ".tmp", path)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: /usr/bin/python3 lo_driver.py JOBS.json RESULTS.json")
    with open(argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    results_path = os.path.abspath(argv[2])
    results = [{"input": j.get("input"), "output": j.get("output"), "ok": False,
                "error": "not run", "reads": [], "typed": []} for j in jobs]
    write_results(results_path, results)
    office = Office()
    deadline = time.monotonic() + TOTAL_TIMEOUT
    # Last resort if everything is stuck: kill soffice and exit (results file stays valid).
    hard_stop = threading.Timer(TOTAL_TIMEOUT + 60, lambda: (office.kill(), os._exit(3)))
    hard_stop.daemon = True
    hard_stop.start()
    try:
        for job, res in zip(jobs, results):
            if time.monotonic() > deadline:
                res["error"] = "not run: total timeout of %ss exceeded" % TOTAL_TIMEOUT
                continue
            watchdog = threading.Timer(JOB_TIMEOUT, office.kill)   # a hung job kills soffice
            try:
                if not office.alive():          # first job, or soffice died in the last one
                    office.stop()
                    office.start()
                watchdog.start()
                run_job(office, job, res["reads"], res["typed"])
                res["ok"], res["error"] = True, None
            except Exception:
                res["error"] = traceback.format_exc()
                if office.proc is not None and not office.alive():
                    res["error"] += "\n(soffice crashed, or was killed after %ss)" % JOB_TIMEOUT
            finally:
                watchdog.cancel()
            write_results(results_path, results)
    finally:
        office.stop()
        hard_stop.cancel()
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
