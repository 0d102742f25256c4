namespace CoManagement.EventStore;

/// <summary>
/// Stream ids and type names go into the canonical bytes of the hash, separated by newlines, so control characters
/// are refused: they could make two different events hash alike.
/// </summary>
internal static class StreamIds
{
    public const int MaxLength = 200;

    public static void Validate(string streamId) => Check(streamId, "stream id");

    public static void ValidateTypeName(string type) => Check(type, "event type");

    private static void Check(string value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"The {what} is empty.");
        if (value.Length > MaxLength)
            throw new ArgumentException($"The {what} '{value[..20]}…' is longer than {MaxLength} characters.");
        if (value.Any(char.IsControl))
            throw new ArgumentException($"The {what} '{value}' contains a control character.");
    }
}
