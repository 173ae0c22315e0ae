package main

import (
	"fmt"

	haiku "github.com/acme/claude-3-haiku-client"
	"github.com/acme/llama-3-tokenizer"
)
