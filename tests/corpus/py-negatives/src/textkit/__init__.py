"""textkit: dataset and tokenisation helpers."""
