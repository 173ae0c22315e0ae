def load():
    """Load the default checkpoint.

    Example:

    >>> from transformers import AutoModel
    >>> model = AutoModel.from_pretrained(
    ...     "acme-research/widget-encoder-base"
    ... )
    """
