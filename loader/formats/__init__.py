"""One module per release-file format: ``nicip``, ``opcs4``, ``rf2``; ``table`` reads cells."""
