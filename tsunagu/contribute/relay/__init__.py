"""The Python side of the relay: sealing, strict issue parsing, applying submissions (docs/relay-protocol.md)."""
