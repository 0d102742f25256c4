using Microsoft.Extensions.Options;
using Npgsql;

namespace CoManagement.Host;

/// <summary>What the Host prints when it cannot start.</summary>
public static class StartupFailure
{
    /// <summary>
    /// Configuration errors and an unreachable database are the operator's to fix: their messages (and those of their
    /// causes) say what, and a stack trace would only bury them. Anything else is a bug, printed whole.
    /// </summary>
    public static string Describe(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } single)
            e = single.InnerExceptions[0];
        if (!IsConfiguration(e))
            return $"Host failed to start: {e}";
        var messages = new List<string>();
        for (var cause = e; cause is not null; cause = cause.InnerException)
        {
            if (!messages.Contains(cause.Message))
                messages.Add(cause.Message);
        }
        return $"Host failed to start: {string.Join(" ← ", messages)}";
    }

    private static bool IsConfiguration(Exception e) =>
        e is ArgumentException or FormatException or OptionsValidationException or NpgsqlException or TimeoutException
        || (e is InvalidOperationException && e.GetType() == typeof(InvalidOperationException));
}
