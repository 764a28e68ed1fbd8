"""What a run writes: terminal text, JSON/CSV, the reviewer's workbook, annotated copies."""
