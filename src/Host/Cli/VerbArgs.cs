namespace CoManagement.Host.Cli;

/// <summary>
/// A verb's own arguments apart from configuration overrides: <c>--role analyst</c> is the verb's when it names one of
/// its options, <c>--ConnectionStrings:EventStore=…</c> goes to configuration, and bare words are positional. Splitting
/// first matters because the configuration parser would swallow a path such as <c>/tmp/seals.json</c> as a key.
/// </summary>
internal sealed record VerbArgs(IReadOnlyList<string> Positional, IReadOnlyDictionary<string, string> Options, string[] ConfigArgs)
{
    public static VerbArgs Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> optionNames)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var config = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                positional.Add(arg);
                continue;
            }
            var body = arg.TrimStart('-');
            var eq = body.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? body : body[..eq];
            var hasNext = i + 1 < args.Count && !args[i + 1].StartsWith('-');
            if (optionNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                options[name] = eq >= 0 ? body[(eq + 1)..]
                    : hasNext ? args[++i]
                    : throw new ArgumentException($"--{name} needs a value");
                continue;
            }
            config.Add(arg);
            if (eq < 0 && hasNext)
                config.Add(args[++i]);
        }
        return new VerbArgs(positional, options, [.. config]);
    }

    public string? Option(string name) => Options.TryGetValue(name, out var value) ? value : null;

    public string Required(string name) => Option(name) ?? throw new ArgumentException($"--{name} is required");
}
