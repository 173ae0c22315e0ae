#!/usr/bin/env bash
set -euo pipefail

# Fetch everything the offline demo needs.
MODELS_DIR="${MODELS_DIR:-./models}"

huggingface-cli download Qwen/Qwen2.5-VL-7B-Instruct --local-dir "$MODELS_DIR/qwen-vl"
huggingface-cli download TheBloke/Mistral-7B-Instruct-v0.2-GGUF mistral-7b-instruct-v0.2.Q4_K_M.gguf \
  --local-dir "$MODELS_DIR"
hf download openai/whisper-large-v3-turbo --revision main
hf download HuggingFaceFW/fineweb-edu --repo-type dataset --include "sample/10BT/*"
huggingface-cli download gradio/hello_world --repo-type=space
# huggingface-cli download meta-llama/Llama-2-7b-hf   (old, no longer used)

for tag in llama3.2:1b nomic-embed-text; do
  echo "pulling $tag"
done
ollama pull llama3.2:1b
ollama pull nomic-embed-text
ollama create support-bot -f ollama/Modelfile
ollama run support-bot "hello"
