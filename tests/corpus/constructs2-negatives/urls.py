"""URLs that are not model APIs: local, in-cluster, OAuth, documentation, other services."""
import requests
from openai import OpenAI

local = OpenAI(base_url="http://localhost:8000/v1")
compose = OpenAI(base_url="http://vllm:8000/v1")
cluster = OpenAI(base_url="http://vllm.default.svc.cluster.local:8000/v1")
private = OpenAI(base_url="http://10.0.3.7:8000/v1")
TOKEN_URL = "https://api.quillmind.ai/oauth/token"
DOCS_URL = "https://docs.quillmind.ai/v1/guide"
STRIPE_API_BASE = "https://api.stripe.com/v1"
GITHUB_API = "https://api.github.com"
repos = requests.get("https://api.github.com/repos/acme/widgets", timeout=10)
hook = requests.post("https://hooks.slack.com/services/T000/B000/XXXX", timeout=10)
azure = "https://<your-resource>.openai.azure.com/"
