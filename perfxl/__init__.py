"""perfxl: locked templates and automatic reconciliation of 绩效自评表 (performance self-evaluation tables)."""

__version__ = "0.1.0"
