using System.Runtime.InteropServices;
using CoManagement.Domain.Common;
using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using CoManagement.Host.Auth;
using CoManagement.Host.Bus;
using CoManagement.Host.Http;
using CoManagement.Host.Seeding;
using CoManagement.Projections;
using Npgsql;
using Spectre.Console;

namespace CoManagement.Host.Cli;

/// <summary>
/// <c>dotnet run --project src/Host -- &lt;verb&gt;</c>: migrate, seed, rebuild, verify, seal, export-seals, export-events, verify-copy, token. Verbs read
/// the Host's configuration (appsettings, environment, <c>--Section:Key=value</c>) and build the Host's services, so a verb
/// appends and reads exactly as the running service does. Exit codes: 0 done, 1 broken history, 2 usage, 3 failure,
/// 4 a copy (<c>verify-copy</c>) whose chains hold but with events no seal proves.
/// With no arguments, or only configuration overrides, the program runs the Host instead (<see cref="StartsHost"/>).
/// </summary>
public static class OperatorVerbs
{
    public const int Ok = 0, Broken = 1, Usage = 2, Failed = 3, Unsealed = 4;

    private static readonly Dictionary<string, string[]> OptionsOf = new(StringComparer.Ordinal)
    {
        ["seed"] = ["size"],
        ["token"] = ["role", "org", "side", "user", "hours"],
    };

    /// <summary>How many bare arguments a verb takes at most (rebuild: any number of projections).</summary>
    private static readonly Dictionary<string, int> MostPositional = new(StringComparer.Ordinal)
    {
        ["migrate"] = 0, ["seed"] = 1, ["verify"] = 0, ["seal"] = 0, ["export-seals"] = 1, ["export-events"] = 1,
        ["verify-copy"] = 2, ["token"] = 0, ["help"] = 0,
    };

    private static readonly string[] HelpWords = ["help", "--help", "-h", "-?"];

    /// <summary>
    /// Whether the command line runs the Host: no arguments, or only configuration overrides (<c>--Key=value</c> or
    /// <c>--Key value</c>). A verb, a request for help or any other option (<c>-x</c>, <c>--flag</c> with no value) is
    /// for <see cref="RunAsync(string[])"/>: a typo must not boot the service on the configured database.
    /// </summary>
    public static bool StartsHost(IReadOnlyList<string> args) => args.Count == 0 || NotAnOverride(args) is null;

    /// <summary>Messages and progress bars go to stderr, so stdout carries only what a script captures (the token, the help asked for).</summary>
    public static Task<int> RunAsync(string[] args)
    {
        var askedForHelp = args.Length > 0 && (HelpWords.Contains(args[0]) || (args[0].StartsWith('-') && NotAnOverride(args) is { } a && HelpWords.Contains(a)));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(askedForHelp ? Console.Out : Console.Error) });
        if (Console.IsErrorRedirected)
            console.Profile.Width = 200; // a log file has no width; the default 80 would wrap every message
        return RunAsync(args, console, Console.Out);
    }

    /// <param name="output">Machine-readable output (the token), kept apart from the console's human messages.</param>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, TextWriter output)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler cancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += cancel;
        // SIGTERM (kill, a supervisor, run.sh's clean-up) cancels as Ctrl-C does, instead of ending the process on the
        // spot: the seed's temporary files (5 GB at 1m) are removed and the verb reports "cancelled", exit code 3.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cts.Cancel();
        });
        var verb = args[0];
        if (verb.StartsWith('-'))
        {
            var option = NotAnOverride(args);
            return option is null || HelpWords.Contains(option) ? Help(console, Ok) : Help(console, Usage, $"unknown option '{option}'");
        }
        try
        {
            var parsed = VerbArgs.Parse(args[1..], OptionsOf.GetValueOrDefault(verb, []));
            if (MostPositional.TryGetValue(verb, out var most) && parsed.Positional.Count > most)
                return Help(console, Usage, $"{verb} takes {(most == 0 ? "no" : $"at most {most}")} argument{(most == 1 ? "" : "s")}, got '{string.Join(' ', parsed.Positional)}'");
            return verb switch
            {
                "migrate" => await WithServicesAsync(parsed, sp => MigrateAsync(sp, console, cts.Token)),
                "seed" => await WithServicesAsync(parsed, sp => SeedAsync(sp, parsed.Positional.FirstOrDefault() ?? parsed.Option("size") ?? "demo", console, cts.Token)),
                "rebuild" when parsed.Positional.Count >= 1 => await WithServicesAsync(parsed, sp => RebuildAsync(sp, parsed.Positional, console, cts.Token)),
                "verify" => await WithServicesAsync(parsed, sp => VerifyAsync(sp, console, cts.Token)),
                "seal" => await WithServicesAsync(parsed, sp => SealAsync(sp, console, cts.Token)),
                "export-seals" when parsed.Positional.Count == 1 => await WithServicesAsync(parsed, sp => ExportSealsAsync(sp, parsed.Positional[0], console, cts.Token)),
                "export-events" when parsed.Positional.Count == 1 => await WithServicesAsync(parsed, sp => ExportEventsAsync(sp, parsed.Positional[0], console, cts.Token)),
                "verify-copy" when parsed.Positional.Count == 2 => await VerifyCopyAsync(parsed.Positional[0], parsed.Positional[1], console, cts.Token),
                "token" => Token(parsed, console, output),
                "help" => Help(console, Ok),
                "rebuild" => Help(console, Usage, "rebuild takes one or more projections, or all"),
                "export-seals" or "export-events" => Help(console, Usage, $"{verb} takes one argument"),
                "verify-copy" => Help(console, Usage, "verify-copy takes an events file and a seals file"),
                _ => Help(console, Usage, $"unknown verb '{verb}'"),
            };
        }
        catch (ArgumentException e)
        {
            return Help(console, Usage, e.Message);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]cancelled[/]");
            return Failed;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or EventStoreException or IOException or UnauthorizedAccessException
            or System.Text.Json.JsonException)
        {
            console.MarkupLineInterpolated($"[red]{verb} failed:[/] {e.Message}");
            return Failed;
        }
        finally
        {
            Console.CancelKeyPress -= cancel;
        }
    }

    private static async Task<int> MigrateAsync(IServiceProvider sp, IAnsiConsole console, CancellationToken ct)
    {
        var store = sp.GetRequiredService<PostgresEventStore>();
        var applied = await store.MigrateAsync(ct);
        await sp.GetRequiredService<AuditLog>().MigrateAsync(ct);
        await Catalog(sp).EnsureCreatedAsync(store, ct, message => console.MarkupLineInterpolated($"[yellow]{message}[/]"));
        var what = applied.Count == 0 ? "is up to date" : $"applied migrations {string.Join(", ", applied)}";
        console.MarkupLineInterpolated($"[green]schema '{store.Schema}' {what}[/]; audit log and projections ready");
        return Ok;
    }

    private static async Task<int> SeedAsync(IServiceProvider sp, string size, IAnsiConsole console, CancellationToken ct)
    {
        DemoSeeder.CountMembers(size); // an unknown size is a usage error before anything is migrated
        await MigrateAsync(sp, console, ct);
        SeedSummary summary = null!;
        await console.Progress().StartAsync(async ctx =>
        {
            var task = ctx.AddTask($"seeding ({size})", maxValue: 1);
            summary = await DemoSeeder.SeedAsync(sp, size, new Reporter<(long Done, long Total)>(p => Update(task, p.Done, p.Total)), ct);
            task.Value = task.MaxValue;
        });
        if (summary.AlreadySeeded)
            console.MarkupLineInterpolated($"[green]already seeded[/]: {summary.MembersSkipped} members in the store");
        else
            console.MarkupLineInterpolated($"[green]seeded[/] {summary.Members} members ({summary.MembersSkipped} already there), {summary.Events} events, {summary.Organisations} organisations, {summary.Agreements} agreements in {summary.Elapsed.TotalSeconds:F1} s");
        // Generated data may break a rule now and then; the seed still stands, so this warns rather than fails.
        if (summary.Rejected > 0)
            console.MarkupLineInterpolated($"[yellow]{summary.Rejected} commands rejected[/], first: {string.Join("; ", summary.Rejections.Take(3))}");
        return Ok;
    }

    /// <summary>Rebuilds the projections named (or all), reading the feed once for all of them.</summary>
    private static async Task<int> RebuildAsync(IServiceProvider sp, IReadOnlyList<string> names, IAnsiConsole console, CancellationToken ct)
    {
        var catalog = Catalog(sp);
        var known = catalog.All.Select(p => p.Name).ToList();
        if (names is ["all"])
            names = known;
        if (names.FirstOrDefault(n => !known.Contains(n)) is { } unknown)
            throw new ArgumentException($"no projection '{unknown}'; known: {string.Join(", ", known)}, or all");
        var store = sp.GetRequiredService<PostgresEventStore>();
        var label = string.Join(", ", names.Select(n => catalog.IsInline(n) ? $"{n} (inline)" : n));
        await console.Progress().StartAsync(async ctx =>
        {
            var task = ctx.AddTask($"rebuilding {label}", maxValue: 1);
            var progress = new Reporter<(long Position, long Head)>(p => Update(task, p.Position, p.Head));
            // An async projection's live runner (in a Host) holds its lease; a rebuild must wait for it to lapse.
            await catalog.RebuildAsync(store, names, progress, (runner, token) => WaitForLeaseAsync(runner, console, token), ct);
            task.Value = task.MaxValue;
        });
        foreach (var name in names.Distinct())
        {
            var status = await catalog.RunnerFor(store, name).GetStatusAsync(ct);
            console.MarkupLineInterpolated($"[green]{name} rebuilt[/] and swapped in at position {status.Position}");
        }
        return Ok;
    }

    private static async Task<int> VerifyAsync(IServiceProvider sp, IAnsiConsole console, CancellationToken ct)
    {
        var store = sp.GetRequiredService<PostgresEventStore>();
        var head = await store.RefreshHeadAsync(ct);
        VerificationReport report = null!;
        await console.Progress().StartAsync(async ctx =>
        {
            // Positions are a close upper bound of the event count (a rolled-back append leaves a gap).
            var task = ctx.AddTask("verifying hash chains and seals", maxValue: Math.Max(1, head));
            report = await store.VerifyStoreAsync(new Reporter<long>(n => Update(task, n, head)), ct);
            task.Value = task.MaxValue;
        });
        return Verdict(report, console, unsealedFails: false);
    }

    /// <summary>
    /// Offline, with no database: an exported copy of the events (<c>export-events</c>) against exported seals
    /// (<c>export-seals</c>), both taken at any time and kept apart: every hash chain is recomputed from the events' own
    /// bytes and every seal from the chain's hashes in its range, so an event altered, removed or added in the copy, or a
    /// seal that does not follow its predecessor, is reported.
    /// </summary>
    private static async Task<int> VerifyCopyAsync(string eventsPath, string sealsPath, IAnsiConsole console, CancellationToken ct)
    {
        List<Seal> seals;
        await using (var file = File.OpenRead(sealsPath))
            seals = await PostgresEventStore.ReadSealExportAsync(file, ct);
        // Streamed in the export's position order: memory grows with the streams, not the events.
        using var verifier = new ExportVerifier(seals);
        await using (var file = File.OpenRead(eventsPath))
        {
            await foreach (var e in PostgresEventStore.ReadEventExport(file, ct))
            {
                if (!verifier.Add(e))
                    break;
            }
        }
        return Verdict(verifier.Finish(), console, unsealedFails: true);
    }

    /// <param name="unsealedFails">
    /// A copy is judged by its seals: events after the last one (all of them without a seal) are what a forger who
    /// rewrote or appended whole streams would leave, so they fail it. In the live store they are its unsealed head.
    /// </param>
    private static int Verdict(VerificationReport report, IAnsiConsole console, bool unsealedFails)
    {
        var summary = $"{report.StreamsChecked} streams, {report.EventsChecked} events, {report.SealsChecked} seals checked";
        if (report.FirstBroken is { } broken)
        {
            console.MarkupLineInterpolated($"[red]BROKEN[/] after {summary}: {(broken.SealNo is { } seal ? $"seal {seal}" : $"stream {broken.StreamId} version {broken.Version} (position {broken.Position})")}");
            console.MarkupLineInterpolated($"  {broken.Reason}");
            return Broken;
        }
        if (report.Coverage is not { } c)
        {
            console.MarkupLineInterpolated($"[green]intact[/]: {summary}");
            return Ok;
        }
        var unproven = unsealedFails && !c.Complete;
        if (unproven)
            console.MarkupLineInterpolated($"[red]UNPROVEN[/]: chains intact but not every event sealed: {summary}");
        else
            console.MarkupLineInterpolated($"[green]intact[/]: {summary}");
        if (c.SealedThrough == 0)
            console.MarkupLine("  sealed: no seal, so no event is proven by one");
        else
            console.MarkupLineInterpolated($"  sealed: {c.EventsSealed} events, positions 1..{c.SealedThrough}");
        if (c.Complete)
            return Ok;
        var where = $"{c.EventsUnsealed} events at positions {c.FirstUnsealedPosition}..{c.LastUnsealedPosition}";
        if (!unproven)
        {
            console.MarkupLineInterpolated($"  [yellow]not yet sealed[/]: {where} (the Host seals its head every few minutes; the seal verb does it now)");
            return Ok;
        }
        console.MarkupLineInterpolated($"  [red]not under any seal[/]: {where}; their chains hold, but a forger who rewrote or appended whole streams leaves exactly that, so no seal proves them");
        return Unsealed;
    }

    /// <summary>Seals the feed up to its safe head now, as the Host does every <c>SealInterval</c>: before an export, say.</summary>
    private static async Task<int> SealAsync(IServiceProvider sp, IAnsiConsole console, CancellationToken ct)
    {
        if (await sp.GetRequiredService<PostgresEventStore>().WriteSealAsync(ct) is { } seal)
            console.MarkupLineInterpolated($"[green]seal {seal.SealNo}[/]: positions {seal.FromPosition + 1}..{seal.ToPosition} ({seal.EventCount} events)");
        else
            console.MarkupLine("[green]nothing new to seal[/]: every final position is under a seal");
        return Ok;
    }

    private static async Task<int> ExportSealsAsync(IServiceProvider sp, string path, IAnsiConsole console, CancellationToken ct)
    {
        var store = sp.GetRequiredService<PostgresEventStore>();
        var seals = await store.GetSealsAsync(ct);
        await using (var file = File.Create(path))
            await store.ExportSealsAsync(file, ct);
        console.MarkupLineInterpolated($"[green]{seals.Count} seals[/] written to {Path.GetFullPath(path)}");
        return Ok;
    }

    /// <summary>
    /// Every member's record leaves the database, so the export is written to the audit log first, as an auditor's read
    /// is: by the operating-system user, role <c>operator</c>.
    /// </summary>
    private static async Task<int> ExportEventsAsync(IServiceProvider sp, string path, IAnsiConsole console, CancellationToken ct)
    {
        var log = sp.GetRequiredService<AuditLog>();
        await log.RecordAsync(new Caller(Environment.UserName, "operator", "-", Side.Outflow), null, "export-events",
            $"file={Path.GetFileName(path)}", traceId: null, ct);
        long count;
        await using (var file = CreateOwnerOnly(path))
            count = await sp.GetRequiredService<PostgresEventStore>().ExportEventsAsync(file, ct);
        console.MarkupLineInterpolated($"[green]{count} events[/] written to {Path.GetFullPath(path)} (JSON lines, in position order, exactly as hashed)");
        return Ok;
    }

    /// <summary>
    /// The export holds ID and phone numbers in full: readable and writable by its owner only (0600 on Unix), whatever
    /// the umask, and also when it replaces a file that was readable by others.
    /// </summary>
    internal static FileStream CreateOwnerOnly(string path)
    {
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (OperatingSystem.IsWindows())
            return new FileStream(path, options);
        options.UnixCreateMode = ownerOnly;
        var file = new FileStream(path, options);
        File.SetUnixFileMode(file.SafeFileHandle, ownerOnly);
        return file;
    }

    private const double MaxTokenHours = 24 * 366;

    private static int Token(VerbArgs args, IAnsiConsole console, TextWriter output)
    {
        var settings = HostSettings.From(Builder(args).Configuration);
        if (string.IsNullOrWhiteSpace(settings.SigningKey))
        {
            console.MarkupLine("[red]no signing key:[/] set Auth:SigningKey (base64, ≥ 32 bytes) for the Host and for this verb, for instance");
            console.MarkupLineInterpolated($"  Auth__SigningKey={TokenIssuer.NewKey()}");
            return Failed;
        }
        var side = Enum.TryParse<Side>(args.Required("side"), ignoreCase: true, out var s) && Enum.IsDefined(s)
            ? s : throw new ArgumentException("--side must be Outflow or Inflow");
        var hours = args.Option("hours") is { } h
            ? double.TryParse(h, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 && v <= MaxTokenHours ? v
                : throw new ArgumentException($"--hours must be a positive number of at most {MaxTokenHours} (a year)")
            : 8;
        output.WriteLine(new TokenIssuer(settings.SigningKey).Issue(
            args.Option("user") ?? Environment.UserName, args.Required("role"), args.Required("org"), side, TimeSpan.FromHours(hours)));
        return Ok;
    }

    private static int Help(IAnsiConsole console, int code, string? error = null)
    {
        if (error is not null)
            console.MarkupLineInterpolated($"[red]{error}[/]");
        console.Write(new Markup("""
            [bold]verbs[/] (dotnet run --project src/Host -- <verb> [[--ConnectionStrings:EventStore=…]] [[--EventStore:Schema=…]])
              migrate                     create or upgrade the store, the audit log and the projections' schemas
              seed [[size]]                 load the demo data set (migrates first): tiny, small, demo (default) or 1m
                                          (1m: about 9 minutes, 5 GB of temporary files and 4 GB of memory here)
              rebuild <projection>… | all rebuild projections from position 0 into shadow schemas, reading the feed
                                          once for all of them, and swap each in
              verify                      recompute every hash chain and seal; exit code 1 on a broken link (or seals
                                          that do not follow each other from position 1); events after the last seal
                                          are reported as not yet sealed, which is no failure
              seal                        seal the feed up to its safe head now (the Host does it every few minutes)
              export-seals <file>         write the seals as JSON for offline verification
              export-events <file>        write every event (archived ones too) as JSON lines, exactly as hashed
                                          (recorded in the audit log first, as the operating-system user), to a
                                          file only its owner may read (0600: it holds ID and phone numbers in full)
              verify-copy <events> <seals>  check an exported copy of the events against exported seals, with no
                                          database; exit code 1 on a broken link, 4 when events lie after the last
                                          seal (every event, without seals): no seal proves them, so seal before export
              token --role <org-staff|analyst|auditor> --org <id> --side <Outflow|Inflow> [[--user <id>]] [[--hours 8]]
              help, --help, -h            this text, exit code 0 (an unknown verb or option prints it to stderr, exit code 2)
            Configuration for a verb: --Section:Key=value (e.g. --EventStore:Schema=demo); any other option is refused.
            With no verb, or only configuration overrides (--Key=value), the program runs the Host.
            Exit codes: 0 done, 1 broken history, 2 usage, 3 failure, 4 (verify-copy) events no seal proves.

            """));
        return code;
    }

    /// <summary>The first argument that is not a configuration override, or null when all are.</summary>
    private static string? NotAnOverride(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2 || HelpWords.Contains(arg))
                return arg;
            if (arg.Contains('=', StringComparison.Ordinal))
                continue;
            if (i + 1 < args.Count && !args[i + 1].StartsWith('-'))
            {
                i++;
                continue;
            }
            return arg;
        }
        return null;
    }

    private static Task WaitForLeaseAsync(ProjectionRunner runner, IAnsiConsole console, CancellationToken ct) =>
        ProjectionCatalog.WaitForLeaseAsync(runner, TimeSpan.FromSeconds(30), ct, holder => console.MarkupLineInterpolated(
            $"[yellow]{runner.Name} is run by {holder}[/]; waiting up to 30 s for its lease (stop the Host that runs it, or set EventStore:RunProjections=false)"));

    private static async Task<int> WithServicesAsync(VerbArgs args, Func<IServiceProvider, Task<int>> verb)
    {
        var builder = Builder(args);
        var settings = HostSettings.From(builder.Configuration);
        builder.Services.AddCoManagementCore(settings);
        // The bus registration brings the outbox writer: rows a verb appends get their integration messages too.
        builder.AddBus(settings);
        builder.Services.AddSingleton<AuditLog>();
        await using var app = builder.Build();
        return await verb(app.Services);
    }

    private static WebApplicationBuilder Builder(VerbArgs args) => WebApplication.CreateBuilder(args.ConfigArgs);

    private static ProjectionCatalog Catalog(IServiceProvider sp) => sp.GetService<ProjectionCatalog>()
        ?? new ProjectionCatalog(sp.GetRequiredService<HostSettings>().Schema, sp.GetRequiredService<EventTypeRegistry>(), sp.GetRequiredService<DomainSettings>());

    private static void Update(ProgressTask task, long done, long total)
    {
        task.MaxValue = Math.Max(1, Math.Max(total, done));
        task.Value = done;
    }

    /// <summary>Reports on the caller's thread: <see cref="Progress{T}"/> would post, and could land after the bar closed.</summary>
    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
