#!/usr/bin/env bash
set -euo pipefail
huggingface-cli download Qwen/Qwen2.5-Coder-7B-Instruct-GGUF qwen2.5-coder-7b-instruct-q4_k_m.gguf
hf download bartowski/Llama-3.3-70B-Instruct-GGUF --include "*Q4_K_M*"
huggingface-cli download HuggingFaceH4/ultrachat_200k --repo-type dataset
ollama pull qwen2.5-coder:7b
llama-server -hf ggml-org/gemma-3-1b-it-GGUF --port 8081
