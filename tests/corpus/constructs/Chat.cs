class Chat { const string Model = "gpt-4o"; }
