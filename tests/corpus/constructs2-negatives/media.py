"""Words beside image and speech models that name none."""
PIPELINE_KIND = "sd3"
if PIPELINE_KIND == "sd3":
    SCHEDULER = "flow-match"
DOCKER_IMAGE = "vllm/vllm-openai"
BASE_IMAGE = "pytorch/pytorch"
checksum = "spark-md5"
ENCODER_PACKAGE = "base64-js"
