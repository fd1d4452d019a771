// Copy-ready set-up for common clients, filled in with this gateway's address. Written here for now; once the CLI's
// `llm-mux connect` (issue 18) lands, these should come from a shared management endpoint so both say the same.
const KEY = 'YOUR-LLM-MUX-KEY';

/** The snippets for a gateway at <origin> (e.g. http://127.0.0.1:8317). */
export function snippets(origin) {
  return [
    { id: 'claude-code', title: 'Claude Code', note: 'In the shell that starts claude (or in ~/.claude/settings.json under "env").',
      text: `export ANTHROPIC_BASE_URL=${origin}\nexport ANTHROPIC_AUTH_TOKEN=${KEY}\nclaude` },
    { id: 'codex', title: 'Codex CLI', note: 'In ~/.codex/config.toml; the key goes in the LLM_MUX_KEY environment variable.',
      text: `model_provider = "llm-mux"\n\n[model_providers.llm-mux]\nname = "llm-mux"\nbase_url = "${origin}/v1"\nenv_key = "LLM_MUX_KEY"\nwire_api = "responses"\n\n# shell: export LLM_MUX_KEY=${KEY}` },
    { id: 'gemini', title: 'Gemini CLI', note: 'In the shell that starts gemini.',
      text: `export GOOGLE_GEMINI_BASE_URL=${origin}\nexport GEMINI_API_KEY=${KEY}\ngemini` },
    { id: 'cursor', title: 'Cursor', note: 'Settings → Models → OpenAI API key: turn on "Override OpenAI Base URL".',
      text: `Base URL: ${origin}/v1\nAPI key:  ${KEY}` },
    { id: 'openai-sdk', title: 'OpenAI SDK (Python)', note: '',
      text: `from openai import OpenAI\n\nclient = OpenAI(base_url="${origin}/v1", api_key="${KEY}")\nprint(client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "Hello"}]).choices[0].message.content)` },
    { id: 'anthropic-sdk', title: 'Anthropic SDK (Python)', note: '',
      text: `import anthropic\n\nclient = anthropic.Anthropic(base_url="${origin}", api_key="${KEY}")\nprint(client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": "Hello"}]).content[0].text)` },
    { id: 'curl', title: 'curl', note: '',
      text: `curl ${origin}/v1/chat/completions \\\n  -H "Authorization: Bearer ${KEY}" -H "Content-Type: application/json" \\\n  -d '{"model":"gpt-4.1","messages":[{"role":"user","content":"Hello"}]}'` },
  ];
}
