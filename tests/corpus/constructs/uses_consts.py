from openai import OpenAI

from consts import DEFAULT_CHAT

OpenAI().chat.completions.create(model=DEFAULT_CHAT, messages=[])
