using LlmMux.Accounts.Providers;

namespace LlmMux.Cli;

internal static class HelpText
{
    public static readonly string Usage = $$"""
        llm-mux: one local endpoint for every LLM subscription and key you have.

        Usage:
          llm-mux serve [--config FILE] [--host ADDR] [--port N] [--debug]
                                     run the gateway (default 127.0.0.1:8317)
          llm-mux models [--config FILE]
                                     every routable model with the provider chain that serves it
          llm-mux init [--force]     write a commented ./llm-mux.yaml to start from
          llm-mux login <{{string.Join('|', SubscriptionProviders.Default.Types)}}> [--no-browser] [--name NAME] [--project ID]
                                     sign in to a subscription and write its account file to the auth dir;
                                     --no-browser: print the URL only (paste the redirected URL back here);
                                     --name: account name instead of the e-mail; --project: gemini project
          llm-mux accounts [list]    accounts in the auth dir: id, provider, user, state, token expiry
                                     (cooldowns live in a running serve: GET /v0/management/accounts)
          llm-mux accounts remove|disable|enable <id>
                                     change an account without editing its file
          llm-mux connect <{{string.Join('|', LlmMux.Gateway.Connect.ClientSetups.Clients)}}>
                  [--write] [--url URL] [--key KEY] [--model MODEL] [--config FILE]
                                     print what that client needs to use this gateway (environment, settings);
                                     --write: merge it into the client's settings files (backed up first)
          llm-mux status [--url URL] [--secret SECRET] [--config FILE] [--json]
                                     a running gateway's accounts, cooldowns, quota windows and recent failovers
                                     (the secret: --secret or $LLM_MUX_MANAGEMENT_KEY)
          llm-mux doctor [--client <{{string.Join('|', Cli.DoctorClient.Clients)}}>]
                  [--url URL] [--key KEY] [--timeout SECONDS] [--config FILE] [--secret SECRET]
                                     check the config, its and the auth dir's permissions, account tokens and
                                     each provider's address; --client: drive the running gateway as that client
                                     does (discovery, streaming, tool call, count_tokens). Exit 1 if a check fails
          llm-mux service install [--config FILE] [--no-start] | uninstall [--no-start] | status | logs
                                     run serve as your user's service (systemd user unit; launchd on macOS)
          llm-mux completion <bash|zsh|fish>
                                     print a shell completion script (e.g. source <(llm-mux completion bash))
          llm-mux --version | --help

        Config lookup: --config, $LLM_MUX_CONFIG, ./llm-mux.yaml, ~/.config/llm-mux/config.yaml,
        else an embedded default with no providers. LLM_MUX_PORT, LLM_MUX_HOST, LLM_MUX_AUTH_DIR,
        LLM_MUX_DEBUG, LLM_MUX_API_KEYS and LLM_MUX_MANAGEMENT_KEY override the file; so do
        LLM_MUX_REDIS, LLM_MUX_REDIS_PASSWORD and LLM_MUX_CLUSTER_KEY (several replicas sharing one Redis).
        """;
}
