"""The figures a report's text states, checked against its tables and against its own arithmetic.

A Word report restates its scoring table in words: the total and its parts ("项目预算执行得分10分，产出
指标得分50分，…得分为100分"), the grade ("评价等次为优"), amounts with their parts ("基本支出501.65万元…
基本支出中人员支出415.13万元，公用支出86.51万元"), shares ("占总支出37.11%") and the execution rate
("完成预算的72.60%"). Each claim found is checked against the table of its section (or the report's
only table) and against the arithmetic the text itself states, with the rounding rule of domain
rules §4: a figure written with d decimals stands for an interval of ±½·10⁻ᵈ.

Precision over recall: a claim that cannot be tied to one figure unambiguously is skipped, never
guessed. Loose words ("整体效果良好") are not grade claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from perfxl import codes
from perfxl.checking import TableCheck
from perfxl.checking.recompute import grade_of, grade_word
from perfxl.model import Claim, Finding
from perfxl.numbers import (
    decimals_written,
    normalise_text,
    round_half_up,
    sum_within_tolerance,
)
from perfxl.reading.docx import Paragraph, Report
from perfxl.scheme import Scheme, load_scheme
from perfxl.vocabulary import LEVEL_KEYWORDS

TEXT = "正文"
_NUMBER = r"(\d+(?:\.\d+)?)"
_SCORE = re.compile(r"([\u4e00-\u9fff（）()]{0,16}?)得分(?:为|是|：|:|达到)?\s*" + _NUMBER + r"\s*分")
_TOTAL_LABEL = re.compile(r"(总分|综合得分|总得分)(?:为|是|：|:)?\s*" + _NUMBER + r"\s*分")
_GRADE = re.compile(r"(?:评价等次|评价等级|等次|评价结果|评定)(?:为|是|：|:|评定为|确定为)?\s*[“\"「『]?"
                    r"(优秀|良好|中等|合格|一般|较差|不合格|优|良|中|差)(?![\u4e00-\u9fff])")
# '万元', or '万' alone before punctuation ('上级拨款30万，…'), never '万人'
_AMOUNT = re.compile(r"([\u4e00-\u9fff（）()、]{1,24}?)\s*(?:为|是|：|:|共|合计)?\s*" + _NUMBER
                     + r"\s*万(?:元|(?![\u4e00-\u9fff]))")
_SHARE = re.compile(r"占([\u4e00-\u9fff]{1,12}?)(?:的)?(?:比例|比重)?(?:为|是)?\s*" + _NUMBER + r"\s*%")
# Only rates tied to the budget: a work's 完成率 ('标准化建设完成率 100%') is no execution rate, and a
# bare '执行率' counts only in a sentence that speaks of the budget or of spending (see _budget_rate).
_RATE = re.compile(r"(预算执行率|资金执行率|支出执行率|预算完成率|完成预算的|执行率)(?:为|是|：|:|达到|达)?\s*"
                   + _NUMBER + r"\s*%")
_BUDGET_WORDS = ("预算", "资金", "支出", "经费")
_PARTS = (("预算执行", "budget"), *LEVEL_KEYWORDS)
_TOTAL_HINTS = ("总", "绩效", "综合", "自评", "评价", "最终", "整体", "合计")
#: A stated list of parts is checked when it comes near its total (within this share): a list far
#: from its total is more likely a partial list ("其中办公费…") than a typo.
_NEAR = Decimal("0.05")


#: Numbered headings, outermost first: '一、', '（一）', '1.', '（1）'; a heading is a short paragraph.
_OUTLINE = (re.compile(r"^[一二三四五六七八九十]+、"), re.compile(r"^[（(][一二三四五六七八九十]+[）)]"),
            re.compile(r"^\d+[.．、](?!\d)"), re.compile(r"^[（(]\d+[）)]"))
_HEADING_LENGTH = 40
#: Short paragraphs since the last heading that may name what the next ones are about (a long
#: paragraph names other projects in passing: '提高峨边在线运营质量').
_LOOK_BACK = 5
_LEAD_IN_LENGTH = 60


def _outline_level(text: str) -> int | None:
    stripped = text.strip()
    if not stripped or len(stripped) > _HEADING_LENGTH:
        return None
    return next((level for level, pattern in enumerate(_OUTLINE) if pattern.match(stripped)), None)


def paragraph_scopes(report: Report) -> list[list[str]]:
    """For each paragraph, the texts that may say what it is about, nearest first: itself, the
    paragraphs since its nearest heading, the headings it stands under (numbered outline and the
    document's own heading sections), and the report's title."""
    title = next((p.text for p in report.paragraphs if p.text.strip()), "")
    outline: dict[int, str] = {}
    since: list[str] = []
    section_heading: dict[int, str] = {}
    scopes = []
    for paragraph in report.paragraphs:
        section_heading.setdefault(paragraph.section, paragraph.text)
        level = _outline_level(paragraph.text)
        if level is not None or section_heading[paragraph.section] is paragraph.text:
            for deeper in [key for key in outline if level is None or key >= level]:
                del outline[deeper]
            since = []
        headings = [outline[key] for key in sorted(outline, reverse=True)]
        if section_heading[paragraph.section] not in headings:
            headings.append(section_heading[paragraph.section])
        scopes.append([paragraph.text, *since[::-1][:_LOOK_BACK], *headings, title])
        if level is not None:
            outline[level] = paragraph.text
        elif len(paragraph.text.strip()) <= _LEAD_IN_LENGTH:
            since.append(paragraph.text)  # a short lead-in ('峨边在线项目：') may say what follows is about
    return scopes


#: What :func:`named_in` says when no text of the scope names any of the titles.
NOT_NAMED = -1


def named_in(scope: list[str], titles: list[str]) -> int | None:
    """The index of the one title the nearest text of ``scope`` names; None when a text names
    several (not guessed); NOT_NAMED when none does."""
    keys = [normalise_text(title) for title in titles]
    for text in scope:
        said = normalise_text(text)
        named = [index for index, key in enumerate(keys) if key and key in said]
        if len(named) == 1:
            return named[0]
        if named or _names_a_project(text):
            return None  # several named, or a project heading ('3.推广服务项目支出情况分析') of no table here
    return NOT_NAMED


def _names_a_project(text: str) -> bool:
    """A numbered sub-heading about one project ('2.数字化建设项目支出情况分析。')."""
    return _outline_level(text) in (2, 3) and "项目" in text


@dataclass
class _Context:
    """What a paragraph is checked against: the table it is about, if one can be told."""

    checks: list[TableCheck]
    sections: list[int]

    def table_for(self, paragraph: Paragraph, scope: list[str]) -> int | None:
        """The project table the paragraph's scope names; else the table of its section, the only
        table, or the only table without a title (the overall one)."""
        named = named_in(scope, [check.table.title for check in self.checks])
        if named != NOT_NAMED:
            return named
        in_section = [i for i, section in enumerate(self.sections) if section == paragraph.section]
        if len(in_section) == 1:
            return in_section[0]
        if len(self.checks) == 1:
            return 0
        untitled = [i for i, check in enumerate(self.checks) if not check.table.title]
        return untitled[0] if len(untitled) == 1 and about_the_whole(paragraph.text) else None


def about_the_whole(text: str) -> bool:
    """A paragraph that names no project at all (quoted titles of documents aside) may be tied to
    the department's overall table; one that speaks of a 项目 or 专项 is not guessed."""
    return re.search(r"项目|专项", re.sub(r"《[^》]*》|“[^”]*”", "", text)) is None


@dataclass
class Narrative:
    """What a report's text says: its NARRATIVE_MISMATCHes, and the figures it states about no
    table of its own (compared, in a round, with the department's other documents)."""

    findings: list[Finding]
    claims: list[Claim]
    stated: int = 0  # sentences stating a figure perfxl checks: a text with none has nothing checkable


def check_narrative(report: Report, checks: list[TableCheck]) -> list[Finding]:
    """Every NARRATIVE_MISMATCH of a report's text."""
    return read_narrative(report, checks).findings


def read_narrative(report: Report, checks: list[TableCheck]) -> Narrative:
    """The text's findings, and its claims that no table of the report backs."""
    context = _Context(checks, report.table_sections)
    findings: list[Finding] = []
    claims: list[Claim] = []
    stated = 0
    standard = load_scheme("standard")  # for the grade words of a text that no table goes with
    for paragraph, scope in zip(report.paragraphs, paragraph_scopes(report), strict=True):
        index = context.table_for(paragraph, scope)
        check = checks[index] if index is not None else None
        for original in filter(None, re.split(r"[。！？]", paragraph.text)):
            findings += _sentence_claims(original, paragraph.number, check, standard)
            stated += _states_figures(original)
            if check is None:
                claims += stated_figures(original, paragraph.number, scope)
    return Narrative(findings, claims, stated)


_NAME_LINE = re.compile(r"^(?:部门[（(]单位[）)]|部门|单位|预算单位|填报单位|主管部门)名称\s*[:：]\s*(\S.{1,40}?)\s*$")
_TITLE = re.compile(r"^(?:\d{4}\s*年度?)?\s*(.{2,40}?)\s*(?:\d{4}\s*年度?)?\s*(?:部门整体|整体|部门|单位整体)"
                    r"(?:支出)?(?:绩效)?(?:自评|评价)(?:自评)?报告$")


def department_named(report: Report) -> str:
    """The department a report is about, as its first lines name it ('部门（单位）名称：X', or a title
    'X2024年度部门整体支出绩效自评报告'); '' when they name none. A report whose tables name the
    department does not need this."""
    for paragraph in report.paragraphs[:30]:
        text = normalise_text(paragraph.text).strip()
        match = _NAME_LINE.match(text) or _TITLE.match(text)
        if match:
            return match.group(1).strip("：: ")
    return ""


def _states_figures(original: str) -> bool:
    """Whether a sentence states a score, grade, amount, share or rate of the kinds checked here."""
    sentence = normalise_text(original)
    return any(pattern.search(sentence) for pattern in (_SCORE, _TOTAL_LABEL, _GRADE, _AMOUNT, _SHARE, _RATE))


#: Amount labels that name a budget figure of the table (precision first: only these words).
_FUNDS_LABELS = (("年初预算", "initial"), ("全年预算", "budget"), ("调整后预算", "budget"), ("调整预算", "budget"),
                 ("全年执行", "executed"), ("预算执行数", "executed"), ("实际执行", "executed"))


def stated_figures(original: str, number: int, context: list[str]) -> list[Claim]:
    """The figures one sentence states that a table also holds: the total, first-level and budget
    scores, the grade, the execution rate and the budget amounts, as :class:`Claim` at ``P{n}``."""
    sentence = normalise_text(original)
    if not any(mark in sentence for mark in ("分", "%", "万", "等次", "等级", "评定", "评价结果")):
        return []
    where = {"sheet": TEXT, "cell": f"P{number}", "context": context}
    parts, labels, total = _scores(sentence) if "分" in sentence else ({}, {}, None)
    claims = [Claim("budget_score" if key == "budget" else "level:" + key, value, label=labels[key], **where)
              for key, value in parts.items()]
    seen: set[str] = set()
    if total is not None:
        claims.append(Claim("total", total, **where))
    grade = _GRADE.search(sentence)
    if grade is not None:
        claims.append(Claim("grade", grade.group(1), **where))
    rate = _budget_rate(sentence) if "%" in sentence else None
    if rate is not None:
        claims.append(Claim("rate", Decimal(rate.group(2)) / 100, places=decimals_written(rate.group(2)) + 2, **where))
    for amount in _amounts(sentence) if "万" in sentence else []:
        key = next((key for word, key in _FUNDS_LABELS if word in amount.label), None)
        if key is not None and key not in seen:
            seen.add(key)
            claims.append(Claim(key, amount.value, places=decimals_written(amount.text), label=amount.label, **where))
    return claims


def _sentence_claims(original: str, number: int, check: TableCheck | None, fallback: Scheme) -> list[Finding]:
    """The claims of one sentence, read in its normalised form (half-width digits and punctuation);
    a finding quotes the sentence as written."""
    sentence = normalise_text(original)
    if not any(mark in sentence for mark in ("分", "%", "万", "等次", "等级", "评定", "评价结果")):
        return []  # most sentences state no figure: nothing to look for
    scheme = check.scheme if check is not None else fallback
    found = _score_claims(sentence, number, check, scheme) if "分" in sentence else []
    found += _grade_claims(sentence, number, check, scheme)
    amounts = _amounts(sentence) if "万" in sentence else []
    found += _amount_claims(sentence, number, amounts)
    if "%" in sentence:
        found += _share_claims(sentence, number, amounts)
        found += _rate_claims(sentence, number, check, amounts)
    quote = original.strip() if len(original.strip()) <= 60 else original.strip()[:58] + "……"
    for finding in found:
        finding.params["quote"] = quote
    return found


def _finding(number: int, sentence: str, what: tuple, source: tuple, expected, found, variant: str = "") -> Finding:
    quote = sentence if len(sentence) <= 60 else sentence[:58] + "……"
    return Finding(codes.NARRATIVE_MISMATCH, TEXT, f"P{number}", expected, found, variant,
                   {"quote": quote, "what": what, "source": source})


# --- scores ----------------------------------------------------------------------------------------


def _scores(sentence: str) -> tuple[dict[str, Decimal], dict[str, str], Decimal | None]:
    """The parts a sentence scores (key → score, key → its label) and the total it states."""
    parts: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    total: Decimal | None = None
    for label, value in _SCORE.findall(sentence):
        key = next((key for word, key in _PARTS if word in label), None)
        if key is not None and key not in parts:
            parts[key], labels[key] = Decimal(value), label
        elif key is None and (any(hint in label for hint in _TOTAL_HINTS) or (not label and parts)):
            total = Decimal(value)
    total_match = _TOTAL_LABEL.search(sentence)
    if total is None and total_match:
        total = Decimal(total_match.group(2))
    return parts, labels, total


def _score_claims(sentence: str, number: int, check: TableCheck | None, scheme: Scheme) -> list[Finding]:
    parts, labels, total = _scores(sentence)
    tolerance = scheme.rules.score_tolerance
    findings = []
    if total is not None and len(parts) >= 2:
        summed = sum(parts.values(), Decimal(0))
        if abs(summed - total) > tolerance:
            findings.append(_finding(number, sentence, ("narr_total", {}), ("from_parts", {}), summed, total))
    if check is None:
        return findings
    source = ("from_table", {"table": check.table.sheet})
    declared = check.table.total_score.number
    table_total = declared if declared is not None else check.result.total
    already = {(f.expected, f.found) for f in findings}  # its own parts gave the table's total: said once
    if total is not None and table_total is not None and abs(table_total - total) > tolerance \
            and (table_total, total) not in already:
        findings.append(_finding(number, sentence, ("narr_total", {}), source, table_total, total))
    for key, stated in parts.items():
        table_part = _table_part(check, key)
        if table_part is not None and abs(table_part - stated) > tolerance:
            findings.append(_finding(number, sentence, ("narr_part", {"label": labels[key]}), source, table_part,
                                     stated))
    return findings


def _table_part(check: TableCheck, key: str) -> Decimal | None:
    if key == "budget":
        declared = check.table.funds.get("score")
        return declared.number if declared is not None and declared.number is not None else check.result.budget_score
    if not any(level.key == key for level in check.table.levels):
        return None
    return check.result.level_scores.get(key)


# --- grade -----------------------------------------------------------------------------------------


def _grade_claims(sentence: str, number: int, check: TableCheck | None, scheme: Scheme) -> list[Finding]:
    match = _GRADE.search(sentence)
    if match is None:
        return []
    word = match.group(1)
    stated_total = _stated_total(sentence)
    if stated_total is not None:
        expected, source = grade_of(stated_total, scheme), ("from_total", {})
    elif check is not None and check.result.grade:
        expected, source = check.result.grade, ("from_table", {"table": check.table.sheet})
    else:
        return []
    if expected is None or grade_word(word, scheme) == expected:
        return []
    return [_finding(number, sentence, ("narr_grade", {}), source, expected, word)]


def _stated_total(sentence: str) -> Decimal | None:
    match = _TOTAL_LABEL.search(sentence)
    if match:
        return Decimal(match.group(2))
    totals = [Decimal(value) for label, value in _SCORE.findall(sentence)
              if not any(word in label for word, _ in _PARTS) and any(h in label for h in _TOTAL_HINTS)]
    return totals[-1] if len(totals) == 1 or (totals and len(set(totals)) == 1) else None


# --- amounts and shares ------------------------------------------------------------------------------


@dataclass
class _Amount:
    label: str
    value: Decimal
    text: str
    start: int
    end: int


def _amounts(sentence: str) -> list[_Amount]:
    found = []
    for match in _AMOUNT.finditer(sentence):
        label = re.sub(r"^(?:其中|以及|及|和|、|，)+", "", match.group(1))
        found.append(_Amount(label, Decimal(match.group(2)), match.group(2), match.start(), match.end()))
    return found


def _amount_claims(sentence: str, number: int, amounts: list[_Amount]) -> list[Finding]:
    """'T X万元，其中A Y万元，B Z万元' and 'A中B Y万元，C Z万元': parts against their total."""
    findings = []
    for total, parts in _groups(sentence, amounts):
        if len(parts) < 2:
            continue
        summed = sum((part.value for part in parts), Decimal(0))
        if total.value == 0 or (abs(summed - total.value) > _NEAR * total.value
                                and not _complete(sentence, total, parts)):
            continue  # a partial list, not a typo: skipped
        pieces = [(part.value, decimals_written(part.text)) for part in parts]
        if not sum_within_tolerance(total.value, decimals_written(total.text), pieces):
            findings.append(_finding(number, sentence, ("narr_amount", {"label": total.label or "合计"}),
                                     ("from_parts", {}), summed, total.value))
    return findings


def _complete(sentence: str, total: _Amount, parts: list[_Amount]) -> bool:
    """A list announced as the whole of its total: its count stated ('其中项目3个，具体支出为：…') or
    introduced as an itemisation ('具体支出为', '分别为', '明细如下'). Such a list is checked against its
    total however far it misses; another list only when it comes near (a partial list otherwise)."""
    between = sentence[total.end:parts[0].start]
    count = re.search(r"(\d+)\s*[个项笔类]", between)
    if count and int(count.group(1)) == len(parts):
        return True
    return re.search(r"具体[^，,;]{0,6}为|分别为|明细(?:如下|为)", between) is not None


def _groups(sentence: str, amounts: list[_Amount]) -> list[tuple[_Amount, list[_Amount]]]:
    """(total, its parts) as the sentence states them."""
    groups: list[tuple[_Amount, list[_Amount]]] = []
    nested: set[int] = set()
    for index, amount in enumerate(amounts):  # 'A中B …，C …' up to the next ';': parts of A
        owner = next((other for other in amounts[:index] if other.label and amount.label.startswith(other.label + "中")),
                      None)
        if owner is None:
            continue
        stop = sentence.find(";", amount.start)  # the sentence is normalised: '；' reads ';'

        members = [a for a in amounts[index:] if stop < 0 or a.start < stop]
        groups.append((owner, members))
        nested.update(id(a) for a in members)
    marker = sentence.find("其中")  # '其中' after a total: what follows adds up to it
    if marker >= 0:
        before = [a for a in amounts if a.end <= marker]
        after = [a for a in amounts if a.start >= marker and id(a) not in nested]
        if before and after:
            groups.append((before[-1], after))
    return groups


def _share_claims(sentence: str, number: int, amounts: list[_Amount]) -> list[Finding]:
    """'A X万元，占总支出Y%': X over the sentence's total of that kind."""
    findings = []
    for match in _SHARE.finditer(sentence):
        part = next((a for a in reversed(amounts) if a.end <= match.start()), None)
        base_word = match.group(1)
        kind = "支出" if "支出" in base_word else "收入" if "收入" in base_word else None
        bases = [a for a in amounts if kind and kind in a.label and any(w in a.label for w in ("总", "合计", "全部"))]
        if part is None or len(bases) != 1 or bases[0] is part or bases[0].value == 0:
            continue
        exact = part.value / bases[0].value
        stated = Decimal(match.group(2)) / 100
        if abs(exact - stated) > _percent_tolerance(match.group(2)):
            expected = round_half_up(exact, 4)
            findings.append(_finding(number, sentence, ("narr_share", {"label": part.label}), ("from_amounts", {}),
                                     expected, stated, "rate"))
    return findings


def _budget_rate(sentence: str) -> re.Match[str] | None:
    """The execution rate a sentence states ('预算执行率为72.60%', '完成预算的72.60%', '执行率 100%' beside
    budget or spending words); the value is group 2."""
    for match in _RATE.finditer(sentence):
        if match.group(1) != "执行率":
            return match
        before = sentence[max(0, match.start() - 30):match.start()]
        if any(word in before for word in _BUDGET_WORDS) or any(word in sentence for word in ("预算", "资金")):
            return match
    return None


def _rate_claims(sentence: str, number: int, check: TableCheck | None, amounts: list[_Amount]) -> list[Finding]:
    match = _budget_rate(sentence)
    if match is None:
        return []
    stated = Decimal(match.group(2)) / 100
    budget = [a for a in amounts if "预算" in a.label and "执行" not in a.label]
    executed = [a for a in amounts if "执行" in a.label or "支出" in a.label]
    if len(budget) == 1 and len(executed) == 1 and budget[0].value:
        exact, source = executed[0].value / budget[0].value, ("from_amounts", {})
    elif check is not None and check.result.rate is not None:
        exact, source = check.result.rate, ("from_table", {"table": check.table.sheet})
    else:
        return []
    if abs(exact - stated) > _percent_tolerance(match.group(2)):
        return [_finding(number, sentence, ("narr_rate", {}), source, round_half_up(exact, 4), stated, "rate")]
    return []


def _percent_tolerance(text: str) -> Decimal:
    """A percentage written with d decimals stands for ±½·10⁻ᵈ percent (domain rules §4)."""
    return Decimal("0.5").scaleb(-(decimals_written(text) + 2)) + Decimal("1e-9")
