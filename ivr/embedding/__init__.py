"""Sentence embeddings on the CPU: what a caller MEANS, for matching intents.

A small pretrained sentence model (all-MiniLM-L6-v2, shipped inside a PyPI
wheel) run by numpy: no deep-learning framework, no download at run time.
"""
