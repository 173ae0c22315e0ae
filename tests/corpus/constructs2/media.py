"""Image, video, speech and embedding models of hosted APIs."""
from openai import OpenAI

client = OpenAI()
IMAGE_MODELS = ["dall-e-3", "gpt-image-1"]
STABILITY_ENGINE = "sd3.5-large"
SDXL_ENGINE = "stable-diffusion-xl-1024-v1-0"
FLUX_MODEL = "flux-pro-1.1"
VIDEO_MODEL = "cogvideox-flash"
GEMINI_IMAGE = "models/gemini-2.5-flash-image"
VEO = "veo-3.0-generate-preview"
IMAGEN = "imagen-4.0-generate-001"
speech = client.audio.speech.create(model="tts-1", voice="alloy", input="hi")
text = client.audio.transcriptions.create(model="whisper-1", file=open("a.wav", "rb"))
EMBEDDING_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072}
vectors = client.embeddings.create(model="text-embedding-3-small", input=["a"])
ELEVEN_VOICE_MODEL = "eleven_multilingual_v2"
