package limits

import "regexp"

var sonnet = regexp.MustCompile(`^claude-sonnet-4-5$`)

func window(model string) int {
	if model == "qwen-max" {
		return 32768
	}
	return 8192
}
