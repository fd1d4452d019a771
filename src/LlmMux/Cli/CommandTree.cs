using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using LlmMux.Accounts.Providers;
using LlmMux.Accounts.Store;

namespace LlmMux.Cli;

/// <summary>
/// The commands of spec §1 as a System.CommandLine tree. The parser types and checks every option, so an unknown
/// option or a bad value is a usage error; each action only hands typed values to its command class.
/// </summary>
internal static class CommandTree
{
    public static RootCommand Build(Func<string, string?> getVariable, TextWriter output, TextWriter error, TextReader? input)
    {
        var root = new RootCommand("llm-mux: one local endpoint for every LLM subscription and key you have.");
        foreach (var option in root.Options)
        {
            // The hand-written usage and `llm-mux <version>` are what users and scripts know; the generated help and
            // the bare assembly version would change them.
            switch (option)
            {
                case HelpOption help:
                    help.Action = new WriteAction(w => w.WriteLine(HelpText.Usage));
                    break;
                case VersionOption version:
                    version.Action = new WriteAction(w => w.WriteLine($"llm-mux {LlmMuxCli.Version}"));
                    break;
            }
        }

        root.SetAction(_ =>
        {
            error.WriteLine("llm-mux: no command given.");
            error.WriteLine(HelpText.Usage);
            return 2;
        });

        var helpCommand = new Command("help", "print the usage") { Hidden = true };
        helpCommand.SetAction(_ =>
        {
            output.WriteLine(HelpText.Usage);
            return 0;
        });

        root.Subcommands.Add(Serve(getVariable, output));
        root.Subcommands.Add(Models(getVariable, output));
        root.Subcommands.Add(Init(getVariable, output));
        root.Subcommands.Add(Login(getVariable, output, error, input));
        root.Subcommands.Add(Accounts(getVariable, output, error));
        root.Subcommands.Add(Connect(getVariable, output, error));
        root.Subcommands.Add(Status(getVariable, output, error));
        root.Subcommands.Add(Doctor(getVariable, output, error));
        root.Subcommands.Add(Completion(root, output));
        root.Subcommands.Add(Service(getVariable, output, error));
        root.Subcommands.Add(helpCommand);
        return root;
    }

    private static Command Serve(Func<string, string?> getVariable, TextWriter output)
    {
        var config = ConfigOption();
        var host = new Option<string?>("--host") { Description = "address to listen on", HelpName = "ADDR" };
        var port = new Option<int?>("--port") { Description = "port to listen on", HelpName = "N", CustomParser = ParsePort };
        var debug = new Option<bool>("--debug") { Description = "debug logging" };
        var serve = new Command("serve", "run the gateway (default 127.0.0.1:8317)") { config, host, port, debug };
        serve.SetAction((result, _) => ServeCommand.RunAsync(
            new ServeFlags(result.GetValue(config), result.GetValue(host), result.GetValue(port), result.GetValue(debug)), getVariable, output));
        return serve;
    }

    private static Command Models(Func<string, string?> getVariable, TextWriter output)
    {
        var config = ConfigOption();
        var models = new Command("models", "every routable model with the provider chain that serves it") { config };
        models.SetAction(result => ModelsCommand.Run(result.GetValue(config), getVariable, output));
        return models;
    }

    private static Command Init(Func<string, string?> getVariable, TextWriter output)
    {
        var config = new Option<string?>("--config") { Description = "where to write the config (default ./llm-mux.yaml)", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "overwrite an existing file" };
        var init = new Command("init", "write a commented ./llm-mux.yaml to start from") { config, force };
        init.SetAction(result => InitCommand.Run(result.GetValue(config), result.GetValue(force), getVariable, output));
        return init;
    }

    private static Command Login(Func<string, string?> getVariable, TextWriter output, TextWriter error, TextReader? input)
    {
        var types = SubscriptionProviders.Default.Types;
        var all = string.Join(", ", types);
        var provider = new Argument<string?>("provider")
        {
            Description = "the subscription to sign in to",
            HelpName = string.Join('|', types),
            Arity = ArgumentArity.ZeroOrOne, // so that a missing provider gets the message below, not a generic one
            CustomParser = r =>
            {
                var value = r.Tokens[0].Value;
                var type = value.ToLowerInvariant();
                if (types.Contains(type))
                {
                    return type;
                }

                r.AddError($"unknown login provider '{value}'; use one of {all}");
                return null;
            },
        };
        var noBrowser = new Option<bool>("--no-browser") { Description = "print the URL only (paste the redirected URL back here)" };
        var name = new Option<string?>("--name") { Description = "account name instead of the e-mail", HelpName = "NAME" };
        var project = new Option<string?>("--project") { Description = "gemini project", HelpName = "ID" };
        var keyFile = new Option<string?>("--key-file") { Description = "vertex: the service account's JSON key", HelpName = "FILE" };
        var config = ConfigOption();
        var login = new Command("login", "sign in to a subscription and write its account file to the auth dir")
        {
            provider, noBrowser, name, project, keyFile, config,
        };
        Require(login, provider, $"login needs a provider: one of {all}");
        login.SetAction((result, ct) => LoginCommand.RunAsync(
            new LoginFlags(result.GetValue(provider)!, result.GetValue(noBrowser), result.GetValue(name), result.GetValue(project), result.GetValue(config), result.GetValue(keyFile)),
            getVariable,
            output,
            error,
            input,
            ct: ct));
        return login;
    }

    private static Command Accounts(Func<string, string?> getVariable, TextWriter output, TextWriter error)
    {
        var config = ConfigOption();
        config.Recursive = true; // `accounts --config F remove x` and `accounts remove x --config F` alike
        var accounts = new Command("accounts", "accounts in the auth dir: id, provider, user, state, token expiry") { config };
        accounts.SetAction((result, _) => AccountsCommand.RunAsync(AccountsAction.List, null, result.GetValue(config), getVariable, output, error));

        var list = new Command("list", "the same as `accounts`");
        list.SetAction((result, _) => AccountsCommand.RunAsync(AccountsAction.List, null, result.GetValue(config), getVariable, output, error));
        accounts.Subcommands.Add(list);
        foreach (var action in new[] { AccountsAction.Remove, AccountsAction.Disable, AccountsAction.Enable })
        {
            var verb = action.ToString().ToLowerInvariant();
            var id = new Argument<string?>("id") { Description = "the account id (see `llm-mux accounts`)", Arity = ArgumentArity.ZeroOrOne };
            var change = new Command(verb, $"{verb} an account without editing its file") { id };
            Require(change, id, $"accounts {verb} needs an account id (see `llm-mux accounts`)");
            change.SetAction((result, _) => AccountsCommand.RunAsync(action, result.GetValue(id), result.GetValue(config), getVariable, output, error));
            accounts.Subcommands.Add(change);
        }

        return accounts;
    }

    private static Command Connect(Func<string, string?> getVariable, TextWriter output, TextWriter error)
    {
        var clients = LlmMux.Gateway.Connect.ClientSetups.Clients;
        var client = new Argument<string?>("client")
        {
            Description = "the client to set up",
            HelpName = string.Join('|', clients),
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = r =>
            {
                var value = r.Tokens[0].Value;
                if (clients.Contains(value.ToLowerInvariant()))
                {
                    return value.ToLowerInvariant();
                }

                r.AddError($"unknown client '{value}'; use one of {string.Join(", ", clients)}");
                return null;
            },
        };
        var write = new Option<bool>("--write") { Description = "merge the settings into the client's files (each changed file is backed up first)" };
        var url = new Option<string?>("--url") { Description = "the gateway's URL (default: from the config's host and port)", HelpName = "URL" };
        var key = new Option<string?>("--key") { Description = "the client key (default: the config's first api-keys entry)", HelpName = "KEY" };
        var model = new Option<string?>("--model") { Description = "the model the client should ask for", HelpName = "MODEL" };
        var config = ConfigOption();
        var connect = new Command("connect", "print (or --write) what a client needs to use this gateway") { client, write, url, key, model, config };
        Require(connect, client, $"connect needs a client: one of {string.Join(", ", clients)}");
        connect.SetAction(result => ConnectCommand.Run(
            new ConnectFlags(result.GetValue(client)!, result.GetValue(write), result.GetValue(url), result.GetValue(key), result.GetValue(model), result.GetValue(config)),
            getVariable, output, error));
        return connect;
    }

    private static Option<string?> UrlOption() =>
        new("--url") { Description = "the running gateway's URL (default: from the config's host and port)", HelpName = "URL" };

    private static Option<string?> SecretOption() =>
        new("--secret") { Description = $"the management secret (default: ${ManagementClient.SecretVariable})", HelpName = "SECRET" };

    private static Command Status(Func<string, string?> getVariable, TextWriter output, TextWriter error)
    {
        var url = UrlOption();
        var secret = SecretOption();
        var config = ConfigOption();
        var json = new Option<bool>("--json") { Description = "print one JSON object (accounts, failovers) instead of tables" };
        var status = new Command("status", "a running gateway's accounts, cooldowns, quota windows and recent failovers") { url, secret, config, json };
        status.SetAction((result, ct) => StatusCommand.RunAsync(
            new StatusFlags(result.GetValue(url), result.GetValue(secret), result.GetValue(config), result.GetValue(json)), getVariable, output, error, ct));
        return status;
    }

    private static Command Doctor(Func<string, string?> getVariable, TextWriter output, TextWriter error)
    {
        var clients = DoctorClient.Clients;
        var client = new Option<string?>("--client")
        {
            Description = "also drive the running gateway as this client does (discovery, streaming, tool call, count_tokens)",
            HelpName = string.Join('|', clients),
            CustomParser = r =>
            {
                var value = r.Tokens[0].Value.ToLowerInvariant();
                if (clients.Contains(value))
                {
                    return value;
                }

                r.AddError($"unknown client '{r.Tokens[0].Value}'; use one of {string.Join(", ", clients)}");
                return null;
            },
        };
        var url = UrlOption();
        var key = new Option<string?>("--key") { Description = "the client key for --client (default: the config's first api-keys entry)", HelpName = "KEY" };
        var timeout = new Option<int>("--timeout")
        {
            Description = "seconds each base-URL check (DNS, connect, TLS) may take (default 5)",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => 5,
            Validators = { r => { if (r.GetValueOrDefault<int>() is < 1 or > 300) { r.AddError("--timeout must be 1-300 seconds"); } } },
        };
        var config = ConfigOption();
        var secret = SecretOption();
        var doctor = new Command("doctor", "check the config, permissions, account tokens and each provider's address; --client tries a client's requests")
        {
            client, url, key, timeout, config, secret,
        };
        doctor.SetAction((result, ct) => DoctorCommand.RunAsync(
            new DoctorFlags(result.GetValue(config), result.GetValue(client), result.GetValue(url), result.GetValue(key), TimeSpan.FromSeconds(result.GetValue(timeout)), result.GetValue(secret)),
            getVariable, output, ct));
        return doctor;
    }

    private static Command Completion(RootCommand root, TextWriter output)
    {
        var shells = CompletionScripts.Shells;
        var shell = new Argument<string?>("shell")
        {
            Description = "the shell to complete in",
            HelpName = string.Join('|', shells),
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = r =>
            {
                var value = r.Tokens[0].Value;
                if (shells.Contains(value))
                {
                    return value;
                }

                r.AddError($"unknown shell '{value}'; use one of {string.Join(", ", shells)}");
                return null;
            },
        };
        var completion = new Command("completion", "print a shell completion script") { shell };
        Require(completion, shell, $"completion needs a shell: one of {string.Join(", ", shells)}");
        completion.SetAction(result =>
        {
            output.Write(CompletionScripts.For(result.GetValue(shell)!, root));
            return 0;
        });
        return completion;
    }

    private static Command Service(Func<string, string?> getVariable, TextWriter output, TextWriter error)
    {
        var service = new Command("service", "run `llm-mux serve` as your user's service (systemd on Linux, launchd on macOS)");
        foreach (var (verb, description) in new[]
        {
            ("install", "write the unit for the config found now and start it"),
            ("uninstall", "stop the service and remove its unit"),
            ("status", "the service manager's status of it"),
            ("logs", "its recent log lines"),
        })
        {
            var config = ConfigOption();
            var noStart = new Option<bool>("--no-start") { Description = "only write or remove the unit; do not start or stop the service" };
            var command = new Command(verb, description) { config };
            var stops = verb is "install" or "uninstall";
            if (stops)
            {
                command.Options.Add(noStart);
            }

            command.SetAction(result => ServiceCommand.Run(verb, result.GetValue(config), stops && result.GetValue(noStart), getVariable, output, error));
            service.Subcommands.Add(command);
        }

        service.SetAction(_ =>
        {
            error.WriteLine("llm-mux: service needs one of install, uninstall, status, logs");
            return 2;
        });
        return service;
    }

    private static Option<string?> ConfigOption() =>
        new("--config") { Description = "config file (default: $LLM_MUX_CONFIG, ./llm-mux.yaml, ~/.config/llm-mux/config.yaml)", HelpName = "FILE" };

    /// <summary>A required argument with this command's own message instead of System.CommandLine's generic one.</summary>
    private static void Require(Command command, Argument argument, string message) =>
        command.Validators.Add(result =>
        {
            if (result.GetResult(argument) is null)
            {
                result.AddError(message);
            }
        });

    /// <summary>Digits only, as before: no sign, no spaces; the config's own check rejects an out-of-range port.</summary>
    private static int? ParsePort(ArgumentResult result)
    {
        var text = result.Tokens[0].Value;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return port;
        }

        result.AddError($"--port must be a number, got '{text}'");
        return null;
    }
}
