package main

func warn(name string) { log.Printf("model gpt-4o not found: %s", name); _ = fmt.Sprintf("deepseek-chat failed: %s", name) }
