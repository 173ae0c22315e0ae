#!/bin/sh
pip install claude-3-haiku-client gemini-2.0-flash-wrapper
python -m pip install --upgrade deepseek-v3-sdk
npm install qwen2.5-tools llama-3-tokenizer
uv pip install mistral-7b-loader
