namespace CoManagement.Host.Cli;

/// <summary>
/// A verb's own arguments apart from configuration overrides: <c>--role analyst</c> is the verb's when it names one of
/// its options, <c>--ConnectionStrings:EventStore=…</c> (a <c>Section:Key</c>, with a value) goes to configuration, and
/// bare words are positional. Anything else (<c>--dry-run</c>, <c>-x</c>) is an unknown option, refused rather than
/// quietly taken as configuration. Splitting first matters because the configuration parser would swallow a path such
/// as <c>/tmp/seals.json</c> as a key.
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
            if (!arg.StartsWith("--", StringComparison.Ordinal) || !name.Contains(':', StringComparison.Ordinal) || (eq < 0 && !hasNext))
                throw new ArgumentException($"unknown option '{arg}' (configuration is given as --Section:Key=value)");
            config.Add(arg);
            if (eq < 0)
                config.Add(args[++i]);
        }
        return new VerbArgs(positional, options, [.. config]);
    }

    public string? Option(string name) => Options.TryGetValue(name, out var value) ? value : null;

    public string Required(string name) => Option(name) ?? throw new ArgumentException($"--{name} is required");
}
