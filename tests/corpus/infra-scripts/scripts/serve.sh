#!/bin/sh
export EMBEDDING_MODEL="${EMBEDDING_MODEL:-BAAI/bge-base-en-v1.5}"
export LLM_MODEL=${LLM_MODEL}
export OPENAI_API_BASE=https://api.together.xyz/v1

case "$1" in
  vllm)
    exec vllm serve "${SERVE_MODEL:-google/gemma-2-9b-it}" --port 8000 --max-model-len 4096 ;;
  llamacpp)
    exec llama-server -hf ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF:Q8_0 --port 8080 ;;
  mlx)
    exec mlx_lm.server --model mlx-community/Meta-Llama-3.1-8B-Instruct-4bit --port 8081 ;;
  tgi)
    text-generation-launcher --model-id bigscience/bloomz-560m --port 3000 ;;
  *)
    echo "usage: $0 vllm|llamacpp|mlx|tgi" >&2; exit 2 ;;
esac
