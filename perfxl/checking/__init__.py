"""Everything that produces a finding: arithmetic, rules, template integrity."""
