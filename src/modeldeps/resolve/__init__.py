"""Resolve stage: who made each model, where, under which license, built on what."""
