"""Every text of the web page, one dict per language.

The server fills the page's ``{{key}}`` places from it and hands the whole dict to the page's
script, which words progress, errors and results from it. ``{name}`` places are filled in later
(by the server for its messages, by the script for the page's).
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "title": "绩效自评表审核",
        "privacy": "文件只在本机处理，不会发送到网络；关闭本页或停止 perfxl 后即删除。",
        "review_heading": "审核收回的自评表",
        "review_help": "选择收回的文件（可多选）或整个文件夹，选好即开始审核。",
        "choose_files": "选择文件",
        "chosen": "已选择 {count} 个文件",
        "choose_folder": "选择文件夹",
        "limits": "一次最多 {max_files} 个文件，每个不超过 {file_mb} MB，合计不超过 {total_size}。",
        "progress_uploading": "正在读入文件 {done}/{total}",
        "progress_running": "已审核 {done}/{total}",
        "progress_done": "审核完成 {done}/{total}",
        "progress_failed": "审核未完成",
        "summary": "共 {files} 个文件：通过 {clean}，仅有警告 {warnings}，有错误 {errors}，无法读取 {unreadable}",
        "summary_skipped": "；未审核 {skipped} 个",
        "summary_superseded": "；已被新版本替换 {superseded} 个",
        "downloads": "下载：",
        "report_link": "审核报告（.xlsx）",
        "copies_link": "批注副本（.zip，{count} 份）",
        "json_link": "审核结果（JSON）",
        "no_copies": "没有需要批注的文件",
        "copies_working": "正在生成批注副本……",
        "annotate_errors": "以下文件未生成批注副本：",
        "col_file": "文件",
        "col_department": "部门（单位）",
        "col_total": "申报总分 → 重新计算",
        "col_status": "状态",
        "col_findings": "问题",
        "status_skipped": "未审核",
        "superseded_by": "已被 {name} 替换",
        "roster_heading": "按名单生成模板",
        "roster_help": "名单为 .xlsx 或 .csv 文件，含“部门编码”“部门名称”两列（可含年初预算数、全年预算数、"
                       "全年执行数、项目名称）。每个部门生成一份锁定的模板，并附清单 manifest.json。",
        "choose_roster": "选择名单",
        "year": "评价年度",
        "scheme": "方案",
        "scheme_standard": "standard（产出 40，效益 20，满意度 10，成本 20，预算执行 10）",
        "scheme_classic": "classic（预算执行 10，产出 50，效益 30，满意度 10）",
        "roster_working": "正在生成模板……",
        "templates_link": "下载模板（.zip，{count} 个部门）",
        "roster_errors": "名单有误，未生成任何模板：",
        "row": "第 {row} 行",
        "footer": "perfxl {version} · 仅在本机（127.0.0.1）运行",
        # the server's messages
        "too_many_files": "一次最多审核 {max_files} 个文件，所选有 {count} 个：请分批选择",
        "file_too_large": "文件 {name} 超过 {file_mb} MB，未审核：请分开提交或压缩图片后再试",
        "total_too_large": "所选文件合计 {total_mb_found} MB，超过 {total_size}：请分批选择",
        "no_files": "没有选择文件",
        "bad_request": "请求无效",
        "round_gone": "这一轮审核已被新的选择取代",
        "not_all_received": "还有文件未读入，请重新选择",
        "already_received": "该文件已读入",
        "session_expired": "页面已过期（perfxl 已重新启动或长时间未操作）：请刷新本页",
        "roster_suffix": "名单应为 .xlsx 或 .csv 文件：{name}",
        "roster_too_large": "名单文件超过 {mb} MB",
        "bad_year": "评价年度应为 2000–2100 之间的年份",
        "round_failed": "审核出错：{error}",
        "network": "无法连接 perfxl：程序是否已停止？请重新运行 perfxl serve",
        "started": "perfxl 网页已启动：{url}（按 Ctrl+C 停止）",
        "port_in_use": "端口 {port} 已被其他程序占用：请关闭占用它的程序后再运行 perfxl serve，"
                       "或换一个端口：perfxl serve --port {free}",
        "port_program": "端口 {port} 已被程序“{program}”（进程号 {pid}）占用：请关闭该程序后再运行 perfxl serve，"
                        "或换一个端口：perfxl serve --port {free}",
        "port_perfxl": "端口 {port} 上已经有一个 perfxl 网页在运行：请直接在浏览器中打开 {url}，"
                       "或先关闭那个 perfxl 窗口（按 Ctrl+C）；也可以另开一个：perfxl serve --port {free}",
        "port_unusable": "端口 {port} 无法使用（{error}）：请换一个端口：perfxl serve --port {free}",
        "stopped": "perfxl 网页已停止，上传的文件已删除。",
        # perfxl serve --help
        "cli_serve": "在本机打开审核网页（仅 127.0.0.1）：选择文件即审核，按名单生成模板，无需命令行。",
        "cli_port": "端口。",
        "cli_no_browser": "不自动打开浏览器。",
    },
    "en": {
        "html_lang": "en",
        "title": "Performance self-evaluation review",
        "privacy": "Files are processed on this computer only and never sent anywhere; they are deleted "
                   "when you close this page or stop perfxl.",
        "review_heading": "Check returned tables",
        "review_help": "Choose the returned files (several at once) or a whole folder: the review starts "
                       "as soon as they are chosen.",
        "choose_files": "Choose files",
        "chosen": "{count} files chosen",
        "choose_folder": "Choose a folder",
        "limits": "At most {max_files} files at once, each up to {file_mb} MB, {total_size} in all.",
        "progress_uploading": "Reading files {done}/{total}",
        "progress_running": "Checked {done}/{total}",
        "progress_done": "Done {done}/{total}",
        "progress_failed": "The review did not finish",
        "summary": "{files} files: {clean} clean, {warnings} with warnings only, {errors} with errors, "
                   "{unreadable} unreadable",
        "summary_skipped": "; {skipped} not reviewed",
        "summary_superseded": "; {superseded} replaced by a newer version",
        "downloads": "Download:",
        "report_link": "review report (.xlsx)",
        "copies_link": "annotated copies (.zip, {count})",
        "json_link": "results (JSON)",
        "no_copies": "no file needs an annotated copy",
        "copies_working": "preparing the annotated copies…",
        "annotate_errors": "No annotated copy of:",
        "col_file": "File",
        "col_department": "Department",
        "col_total": "Declared → recomputed total",
        "col_status": "Status",
        "col_findings": "Findings",
        "status_skipped": "not reviewed",
        "superseded_by": "replaced by {name}",
        "roster_heading": "Templates from a roster",
        "roster_help": "A roster is an .xlsx or .csv file with the columns 部门编码 and 部门名称 (optionally "
                       "年初预算数, 全年预算数, 全年执行数, 项目名称). Each department gets a locked template, "
                       "with the list manifest.json.",
        "choose_roster": "Choose a roster",
        "year": "Year evaluated",
        "scheme": "Scheme",
        "scheme_standard": "standard (outputs 40, effects 20, satisfaction 10, cost 20, budget execution 10)",
        "scheme_classic": "classic (budget execution 10, outputs 50, effects 30, satisfaction 10)",
        "roster_working": "Writing templates…",
        "templates_link": "Download the templates (.zip, {count} departments)",
        "roster_errors": "The roster has errors; no template was written:",
        "row": "Row {row}",
        "footer": "perfxl {version} · runs on this computer only (127.0.0.1)",
        "too_many_files": "At most {max_files} files can be checked at once; {count} were chosen: "
                          "choose them in several batches",
        "file_too_large": "{name} is larger than {file_mb} MB and was not checked",
        "total_too_large": "The chosen files come to {total_mb_found} MB, more than {total_size}: "
                           "choose them in several batches",
        "no_files": "No file was chosen",
        "bad_request": "Bad request",
        "round_gone": "This review was replaced by a newer choice of files",
        "not_all_received": "Some files were not read in: choose them again",
        "already_received": "This file was read in already",
        "session_expired": "This page has expired (perfxl was restarted, or the page was left unused): reload it",
        "roster_suffix": "A roster is an .xlsx or .csv file: {name}",
        "roster_too_large": "The roster is larger than {mb} MB",
        "bad_year": "The year must be between 2000 and 2100",
        "round_failed": "The review failed: {error}",
        "network": "Cannot reach perfxl: has it stopped? Run perfxl serve again",
        "started": "perfxl is running at {url} (Ctrl+C stops it)",
        "port_in_use": "Port {port} is taken by another program: close it and run perfxl serve again, "
                       "or use another port: perfxl serve --port {free}",
        "port_program": "Port {port} is taken by the program '{program}' (process {pid}): close it and run "
                        "perfxl serve again, or use another port: perfxl serve --port {free}",
        "port_perfxl": "A perfxl page is already running on port {port}: open {url} in the browser, or close "
                       "that perfxl window (Ctrl+C) first; or start another: perfxl serve --port {free}",
        "port_unusable": "Port {port} cannot be used ({error}): use another port: perfxl serve --port {free}",
        "stopped": "perfxl stopped; the uploaded files were deleted.",
        "cli_serve": "Open the review page on this computer (127.0.0.1 only): choose files to check "
                     "them, or a roster to get its templates, without a terminal.",
        "cli_port": "Port.",
        "cli_no_browser": "Do not open the browser.",
    },
}


def texts(lang: str) -> dict[str, str]:
    return TEXTS["en" if lang == "en" else "zh"]


def text(lang: str, key: str, **params: object) -> str:
    return texts(lang)[key].format(**params)
