"""Image encoders for the multimodal experiments."""

import open_clip
import timm
import torch
import whisper
from diffusers import DiffusionPipeline, StableDiffusionXLPipeline
from faster_whisper import WhisperModel

backbone = timm.create_model("convnext_small.fb_in22k", pretrained=True, num_classes=0)
scratch = timm.create_model("resnet50", pretrained=False)
clip, _, preprocess = open_clip.create_model_and_transforms(
    "ViT-B-32", pretrained="laion2b_s34b_b79k"
)
siglip = open_clip.create_model("hf-hub:timm/ViT-B-16-SigLIP")
depth = torch.hub.load("intel-isl/MiDaS", "DPT_Large")
sdxl = StableDiffusionXLPipeline.from_pretrained(
    "stabilityai/stable-diffusion-xl-base-1.0", torch_dtype=torch.float16, variant="fp16"
)
flux = DiffusionPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell")
asr = whisper.load_model("small")
fast_asr = WhisperModel("large-v3", device="cuda", compute_type="float16")
