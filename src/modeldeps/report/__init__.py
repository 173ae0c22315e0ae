"""Report stage: pure renderers from a ScanResult to text."""
