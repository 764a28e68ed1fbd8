"""A collection round: supervised batch runner, roster matching, ledger."""
