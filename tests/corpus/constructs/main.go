package main

const defaultModel = "qwen-plus"

var fallbacks = []string{"deepseek-chat", "acme-go-chat-2"}

func client() { openai.NewClient(option.WithBaseURL("https://open.bigmodel.cn/api/paas/v4")) }
func regional(region string) string { return fmt.Sprintf("https://bedrock-runtime.%s.amazonaws.com", region) }
