"""Python analysis by ``ast``: value resolution, the loader table and the call-site analyser."""
