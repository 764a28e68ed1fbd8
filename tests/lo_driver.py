#!/usr/bin/python3
"""Drive a real LibreOffice Calc over UNO to fill, recalculate and re-save xlsx files.

    /usr/bin/python3 tests/lo_driver.py JOBS.json RESULTS.json    (the system Python has `uno`)
JOBS.json: [{"input": "/abs/in.xlsx", "output": "/abs/out.xlsx", "ops": [...]}, ...], ops in order:
  {"op": "type", "sheet", "cell", "text"}  user input: select + type ("" = Delete key); refused
                                           on locked cells of protected sheets
  {"op": "force", "sheet", "cell", "value"} API write ignoring protection: number, string, or
                                           "=formula" in xlsx syntax (as written by XlsxWriter)
  {"op": "unprotect", "sheet", "password"}   {"op": "unprotect_workbook", "password"}
  {"op": "read", "sheet", "cell"}
Each input is loaded hidden and recalculated on load; calculateAll() runs after the ops; the
result is saved as xlsx. RESULTS.json (rewritten after each job) holds one entry per job:
  {"input", "output", "ok", "error": traceback|null, "reads": [{"cell", "type" (VALUE|TEXT|
   FORMULA|EMPTY), "value", "string", "formula" (LibreOffice syntax), "formula_xlsx" (xlsx
   syntax, "" if no formula)}], "typed": [{"sheet", "cell", "text", "accepted"}]}
Standard library + uno only. Exit status 0 when every job succeeded, else 1.
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
# Profile settings: recalculate xlsx/ods on load; no .~lock files (a stale one blocks loading).
SETTINGS = [("Calc/Formula/Load", "OOXMLRecalcMode", "0"),
            ("Calc/Formula/Load", "ODFRecalcMode", "0"),
            ("Common/Misc", "UseLocking", "false")]
XCU = ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
       'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
       + "".join(f'<item oor:path="/org.openoffice.Office.{path}"><prop oor:name="{name}" oor:op="fuse">'
                 f"<value>{value}</value></prop></item>\n" for path, name, value in SETTINGS)
       + "</oor:items>\n")


def props(**kw):
    """Keyword arguments -> tuple of PropertyValue, as UNO calls expect."""
    return tuple(PropertyValue(Name=k, Value=v) for k, v in kw.items())


class Office:
    """One headless soffice with a throwaway profile, in a process group of its own."""
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
             f"--accept=socket,host=127.0.0.1,port={port};urp;"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)                 # the group: oosplash + soffice.bin
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
                        f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
                    break
                except Exception:                   # NoConnectException while starting up
                    if self.proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            f"cannot connect to soffice (exit status {self.proc.poll()})") from None
                    time.sleep(0.25)
            smgr = self.ctx.ServiceManager
            self.desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
            self.dispatcher = smgr.createInstanceWithContext(
                "com.sun.star.frame.DispatchHelper", self.ctx)
            self.urls = smgr.createInstanceWithContext("com.sun.star.util.URLTransformer", self.ctx)
        finally:
            watchdog.cancel()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal_group(self, sig):
        """Signal the process group we started (nothing else); False once it is gone."""
        if self.proc is None:
            return False
        try:
            os.killpg(self.proc.pid, sig)
            return True
        except ProcessLookupError:
            return False

    def kill(self):
        self.signal_group(signal.SIGKILL)
    def stop(self):
        """XDesktop.terminate(); kill what is left after ~5 s; remove the profile."""
        try:
            if self.alive() and self.desktop is not None:
                threading.Thread(target=self._terminate, daemon=True).start()
                for _ in range(50):
                    if self.proc.poll() is not None:
                        break
                    time.sleep(0.1)
        finally:
            self.kill()
            for _ in range(50):                     # wait (<= 5 s) until the group is gone
                if self.proc is not None:
                    self.proc.poll()                # reap oosplash
                if not self.signal_group(0):
                    break
                time.sleep(0.1)
            if self.profile:
                shutil.rmtree(self.profile, ignore_errors=True)
            self.proc = self.profile = self.ctx = self.desktop = self.dispatcher = None

    def _terminate(self):
        try:
            self.desktop.terminate()
        except Exception:                           # the bridge dies as soffice exits
            pass


class _State(unohelper.Base, XStatusListener):
    """Receives the enabled/disabled state of one dispatcher command."""
    enabled = None

    def statusChanged(self, ev):
        self.enabled = ev.IsEnabled

    def disposing(self, ev):
        pass


def type_into(office, doc, sheet, cell, text):
    """Select `cell` and type `text` ("" = Delete key). Returns False if LibreOffice refuses.

    LibreOffice decides, not us: on a cell the user may not edit (sheet protection + Locked)
    it disables Delete (.uno:ClearContents), so we ask that state before typing. We never type
    blindly into such a cell: the refused .uno:EnterString opens an info box "Protected cells
    can not be modified." that headless LibreOffice 7.4 cannot cope with (the next dialog, or
    dismissing it, kills soffice with SIGABRT)."""
    controller = doc.getCurrentController()
    frame = controller.getFrame()
    controller.setActiveSheet(sheet)
    office.dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, props(ToPoint=cell))
    url = office.urls.parseStrict(URL(Complete=".uno:ClearContents"))[1]
    dispatch, state = frame.queryDispatch(url, "", 0), _State()
    dispatch.addStatusListener(state, url)          # the state arrives during this call
    dispatch.removeStatusListener(state, url)
    if state.enabled is None:
        raise RuntimeError("LibreOffice sent no state for .uno:ClearContents")
    if not state.enabled:
        return False
    if text == "":
        office.dispatcher.executeDispatch(frame, ".uno:ClearContents", "", 0, ())
    else:
        office.dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, props(StringName=text))
    return True


def xlsx_formula_parser(doc):
    """A FormulaParser for the formula syntax stored in xlsx files (OOXML names, A1, commas)."""
    def const(name):
        return uno.getConstantByName("com.sun.star.sheet." + name)

    parser = doc.createInstance("com.sun.star.sheet.FormulaParser")
    opmap = doc.createInstance("com.sun.star.sheet.FormulaOpCodeMapper").getAvailableMappings(
        const("FormulaLanguage.OOXML"), const("FormulaMapGroup.ALL_EXCEPT_SPECIAL"))
    uno.invoke(parser, "setPropertyValue",   # pyuno needs the sequence type spelled out
               ("OpCodeMap", uno.Any("[]com.sun.star.sheet.FormulaOpCodeMapEntry", opmap)))
    parser.setPropertyValue("FormulaConvention", const("AddressConvention.XL_OOX"))
    parser.setPropertyValue("CompileEnglish", True)
    return parser


def run_op(office, doc, parser, op, reads, typed):
    if op["op"] == "unprotect_workbook":
        if doc.isProtected():
            doc.unprotect(op.get("password", ""))
        return
    if not doc.Sheets.hasByName(op["sheet"]):
        raise KeyError(f"no sheet {op['sheet']!r}")
    sheet = doc.Sheets.getByName(op["sheet"])
    if op["op"] == "unprotect":
        try:
            sheet.unprotect(op.get("password", ""))
        except Exception as exc:
            raise ValueError(f"cannot unprotect sheet {op['sheet']!r}: wrong password?") from exc
        return
    cell = sheet.getCellRangeByName(op["cell"])
    pos = cell.getCellAddress()
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
            raise TypeError(f"force value must be a number or a string: {value!r}")
    elif op["op"] == "read":
        kind = cell.getType().value                 # EMPTY, VALUE, TEXT or FORMULA
        reads.append({"cell": op["cell"], "type": kind, "value": cell.getValue(),
                      "string": cell.getString(), "formula": cell.getFormula(),
                      "formula_xlsx": "=" + parser.printFormula(cell.getTokens(), pos)
                      if kind == "FORMULA" else ""})
    else:
        raise ValueError(f"unknown op {op['op']!r}")


def run_job(office, job, reads, typed):
    """Load, apply the ops, recalculate, save, close. Appends to reads/typed; raises on error."""
    doc = office.desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(os.path.abspath(job["input"])), "_blank", 0, props(Hidden=True))
    if doc is None:
        raise RuntimeError("LibreOffice could not load " + job["input"])
    try:
        parser = xlsx_formula_parser(doc)
        for op in job.get("ops", []):
            run_op(office, doc, parser, op, reads, typed)
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
    # Last resort if everything is stuck: kill soffice and exit (the results file stays valid).
    hard_stop = threading.Timer(TOTAL_TIMEOUT + 60, lambda: (office.kill(), os._exit(3)))
    hard_stop.daemon = True
    hard_stop.start()
    try:
        for job, res in zip(jobs, results, strict=True):
            if time.monotonic() > deadline:
                res["error"] = f"not run: total timeout of {TOTAL_TIMEOUT}s exceeded"
                continue
            watchdog = threading.Timer(JOB_TIMEOUT, office.kill)   # a hung job kills soffice
            try:
                if not office.alive():              # first job, or soffice died in the last
                    office.stop()
                    office.start()
                watchdog.start()
                run_job(office, job, res["reads"], res["typed"])
                res["ok"], res["error"] = True, None
            except Exception:
                res["error"] = traceback.format_exc()
                if office.proc is not None and not office.alive():
                    res["error"] += f"\n(soffice crashed, or was killed after {JOB_TIMEOUT}s)"
            finally:
                watchdog.cancel()
            write_results(results_path, results)
    finally:
        office.stop()
        hard_stop.cancel()
        write_results(results_path, results)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
