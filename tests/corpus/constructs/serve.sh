#!/bin/sh
vllm serve meta-llama/Llama-3.2-1B-Instruct --port 8000
ollama pull nomic-embed-text
curl https://api.anthropic.com/v1/messages -d '{"model": "claude-3-7-sonnet-latest"}'
