"""Direct clients for Bedrock, Gemini, Vertex, Mistral, Cohere, Groq, Together and Fireworks."""

import json

import boto3
import cohere
import google.generativeai as legacy_genai
import vertexai
from fireworks.client import Fireworks
from google import genai
from groq import Groq
from mistralai import Mistral
from together import Together
from vertexai.generative_models import GenerativeModel

BEDROCK_CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0"

bedrock = boto3.client("bedrock-runtime", region_name="eu-central-1")


def bedrock_chat(prompt: str) -> str:
    body = json.dumps({"messages": [{"role": "user", "content": prompt}], "max_tokens": 512})
    r = bedrock.invoke_model(modelId=BEDROCK_CLAUDE, body=body)
    c = bedrock.converse(
        modelId="amazon.nova-pro-v1:0",
        messages=[{"role": "user", "content": [{"text": prompt}]}],
    )
    return json.loads(r["body"].read())["content"][0]["text"] + str(c)


def gemini(prompt: str) -> str:
    client = genai.Client()
    r = client.models.generate_content(model="gemini-2.5-flash", contents=prompt)
    legacy = legacy_genai.GenerativeModel("gemini-1.5-pro").generate_content(prompt)
    return r.text + legacy.text


def vertex(prompt: str) -> str:
    vertexai.init(project="acme-prod", location="europe-west4")
    return GenerativeModel(model_name="gemini-2.0-flash-001").generate_content(prompt).text


def others(prompt: str) -> list[str]:
    msgs = [{"role": "user", "content": prompt}]
    m = Mistral(api_key="...").chat.complete(model="mistral-large-latest", messages=msgs)
    co = cohere.ClientV2()
    c = co.chat(model="command-r-plus-08-2024", messages=msgs)
    g = Groq().chat.completions.create(model="llama-3.1-8b-instant", messages=msgs)
    t = Together().chat.completions.create(model="Qwen/Qwen2.5-72B-Instruct-Turbo", messages=msgs)
    f = Fireworks().chat.completions.create(
        model="accounts/fireworks/models/llama-v3p1-70b-instruct", messages=msgs
    )
    return [str(x) for x in (m, c, g, t, f)]
