#!/usr/bin/python3
"""Print Word reports to PDF with LibreOffice Writer, and say where each table and paragraph landed.

    /usr/bin/python3 tests/corpus_pdf/print_reports.py JOBS.json RESULTS.json   (the system Python has uno)

JOBS.json: [{"input": "/abs/in.docx", "output": "/abs/out.pdf", "footer": "page"|null,
             "header": "text"|null, "filter": {PDF export FilterData, e.g. EncryptFile}}, ...]
Each report is loaded hidden, given the footer (a centred page number "- N -") or running header
asked for, laid out, and exported with Writer's PDF filter. RESULTS.json: one entry per job,
{"tables": [[first page, last page], ...] for every top-level table in document order,
 "paragraphs": [[text, page], ...] for every top-level paragraph in document order (python-docx's
 Document.paragraphs), "pages": page count} — read from Writer's own layout (the view cursor), so
the expectations never depend on the PDF reader under test.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import uno
from lo_driver import Office, props


def page_of(cursor, text_range):
    cursor.gotoRange(text_range, False)
    return cursor.getPage()


def add_running_lines(doc, footer, header):
    styles = doc.getStyleFamilies().getByName("PageStyles")
    for name in styles.getElementNames():
        style = styles.getByName(name)
        if footer:
            style.FooterIsOn = True
            text = style.FooterText
            text.setString("")
            cursor = text.createTextCursor()
            cursor.ParaAdjust = 3  # centre
            text.insertString(cursor, "- ", False)
            field = doc.createInstance("com.sun.star.text.TextField.PageNumber")
            field.NumberingType = 4  # arabic
            field.SubType = uno.Enum("com.sun.star.text.PageNumberType", "CURRENT")
            text.insertTextContent(cursor, field, False)
            text.insertString(cursor, " -", False)
        if header:
            style.HeaderIsOn = True
            style.HeaderText.setString(header)


def print_report(office, job):
    url = uno.systemPathToFileUrl(job["input"])
    doc = office.desktop.loadComponentFromURL(url, "_blank", 0, props(Hidden=True))
    try:
        add_running_lines(doc, job.get("footer"), job.get("header"))
        cursor = doc.getCurrentController().getViewCursor()
        tables, paragraphs = [], []
        enum = doc.getText().createEnumeration()
        while enum.hasMoreElements():
            part = enum.nextElement()
            if part.supportsService("com.sun.star.text.TextTable"):
                names = part.getCellNames()
                first = part.getCellByName(names[0]).getText().getStart()
                last = part.getCellByName(names[-1]).getText().getStart()
                tables.append([page_of(cursor, first), page_of(cursor, last)])
            else:
                paragraphs.append([part.getString(), page_of(cursor, part.getStart())])
        cursor.jumpToLastPage()
        pages = cursor.getPage()
        data = tuple(props(**{key: value})[0] for key, value in (job.get("filter") or {}).items())
        export = props(FilterName="writer_pdf_Export",
                       FilterData=uno.Any("[]com.sun.star.beans.PropertyValue", data))
        doc.storeToURL(uno.systemPathToFileUrl(job["output"]), export)
        return {"tables": tables, "paragraphs": paragraphs, "pages": pages}
    finally:
        doc.close(True)


def main(argv):
    jobs = json.load(open(argv[1], encoding="utf-8"))
    office = Office()
    office.start()
    try:
        results = [print_report(office, job) for job in jobs]
    finally:
        office.stop()
    with open(argv[2], "w", encoding="utf-8") as handle:
        json.dump(results, handle, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv)
