"""LangChain and LlamaIndex pipelines."""

from langchain_anthropic import ChatAnthropic
from langchain_community.chat_models import ChatOllama
from langchain_huggingface import HuggingFaceEndpoint
from langchain_openai import AzureChatOpenAI, ChatOpenAI
from llama_index.core import Settings
from llama_index.embeddings.huggingface import HuggingFaceEmbedding
from llama_index.llms.ollama import Ollama

summarizer = ChatOpenAI(
    model="gpt-4.1-mini",
    temperature=0.2,
)
critic = ChatAnthropic(model_name="claude-sonnet-4-20250514")
offline = ChatOllama(model="llama3.1:8b", base_url="http://localhost:11434")
azure = AzureChatOpenAI(
    azure_deployment="gpt-4o-eu",
    azure_endpoint="https://contoso-eu.openai.azure.com/",
    api_version="2024-06-01",
)
endpoint = HuggingFaceEndpoint(repo_id="mistralai/Mistral-7B-Instruct-v0.3", max_new_tokens=256)

Settings.llm = Ollama(model="qwen2.5:14b", request_timeout=120.0)
Settings.embed_model = HuggingFaceEmbedding(model_name="BAAI/bge-small-en-v1.5")
