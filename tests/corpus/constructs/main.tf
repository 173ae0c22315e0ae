variable "llm_model" {
  default = "acme/tf-llm-7b"
}
