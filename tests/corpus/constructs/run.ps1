$Model = "gpt-4o-mini"
Invoke-RestMethod -Uri "https://api.deepseek.com/chat/completions" -Method Post
