"""The import report as plain lines, for the command (the form renders it in its template)."""

from annotations.imports.action import ImportReport


def report_lines(report: ImportReport) -> list[str]:
    lines = [
        f"Passages: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.fuzzy)} fuzzy, "
        f"{len(report.skipped)} skipped."
    ]
    if report.tags_created:
        lines.append("Tags created: " + ", ".join(report.tags_created))
    for fuzzy in report.fuzzy:
        lines.append(
            f"fuzzy: {fuzzy.item}: placed at {fuzzy.start}-{fuzzy.end} of {fuzzy.article} "
            f"(score {fuzzy.score:.2f}): {fuzzy.text!r} for {fuzzy.quote!r}"
        )
    for problem in report.skipped:
        lines.append(f"skipped: {problem}")
    return lines
