using System.Text.RegularExpressions;

namespace CoManagement.Domain.Common;

/// <summary>
/// Checks the shape of a command before any business rule. Checks chain and the first failure wins, so a caller always
/// gets one stable reason. Commands arrive deserialised from outside, so "non-nullable" fields may still be null here.
/// </summary>
internal readonly partial struct Validation
{
    private readonly DomainSettings settings;
    private readonly DateTimeOffset now;

    private Validation(DomainSettings settings, DateTimeOffset now, Rejection? rejection) =>
        (this.settings, this.now, Rejection) = (settings, now, rejection);

    public Rejection? Rejection { get; }

    public static Validation Of(ICommand command, DomainSettings settings) =>
        new Validation(settings, command.Now, null)
            .That(command.CommandId != Guid.Empty, ReasonCodes.MissingField, "commandId is required")
            .That(command.Now != default, ReasonCodes.MissingField, "now is required")
            .That(command.Actor is not null, ReasonCodes.MissingField, "actor is required")
            .Id(command.Actor?.UserId, "actor.userId")
            .Id(command.Actor?.OrganizationId, "actor.organizationId")
            .Defined(command.Actor?.Side ?? default, "actor.side");

    public Validation That(bool ok, string code, string message) =>
        Rejection is not null || ok ? this : new(settings, now, new Rejection(code, message));

    public Validation Then(Func<Rejection?> check) =>
        Rejection is not null ? this : new(settings, now, check());

    /// <summary>Applies <paramref name="check"/> to every item of a list (a missing list is checked by the caller).</summary>
    public Validation Each<T>(IEnumerable<T>? items, Func<Validation, T, Validation> check) =>
        Rejection is not null || items is null ? this : items.Aggregate(this, check);

    public Validation Id(string? value, string field) =>
        Required(value, field).Max(value, settings.MaxIdLength, field).Characters(value, field, lineBreaks: false);

    public Validation OptionalId(string? value, string field) => value is null ? this : Id(value, field);

    public Validation Text(string? value, string field) =>
        Required(value, field).Max(value, settings.MaxTextLength, field).Characters(value, field, lineBreaks: true);

    public Validation OptionalText(string? value, string field) =>
        Max(value, settings.MaxTextLength, field).Characters(value, field, lineBreaks: true);

    public Validation Defined<TEnum>(TEnum value, string field) where TEnum : struct, Enum =>
        That(Enum.IsDefined(value), ReasonCodes.InvalidValue, $"{field} has no value '{value}'");

    /// <summary>
    /// A business time: present, and not after the command's <c>Now</c> (nothing is recorded in advance), give or take
    /// the sender's clock running ahead by up to <see cref="DomainSettings.ClockSkew"/>.
    /// </summary>
    public Validation Time(DateTimeOffset value, string field) =>
        That(value != default, ReasonCodes.MissingField, $"{field} is required")
        .That(value <= now + settings.ClockSkew, ReasonCodes.TimeInFuture, $"{field} {value:O} is after now {now:O}");

    /// <summary>A deadline: present, may lie in the future.</summary>
    public Validation Deadline(DateTimeOffset value, string field) =>
        That(value != default, ReasonCodes.MissingField, $"{field} is required");

    public Validation Region(string? value, string field, string reasonCode) =>
        Required(value, field).Then(() => RegionCode.Validate(value, field, reasonCode));

    public Validation Phone(string? value, string field, string reasonCode) =>
        Required(value, field).That(PhonePattern().IsMatch(value ?? ""), reasonCode, $"{field} is not a phone number (the value is not repeated: it may be personal data)");

    public Validation OptionalPhone(string? value, string field, string reasonCode) =>
        value is null ? this : Phone(value, field, reasonCode);

    /// <summary>A PRC resident ID number (18 characters, the last a digit or X).</summary>
    public Validation IdNumber(string? value, string field, string reasonCode) =>
        Required(value, field).That(IdNumberPattern().IsMatch(value ?? ""), reasonCode, $"{field} is not an 18-character ID number");

    private Validation Required(string? value, string field) =>
        That(!string.IsNullOrWhiteSpace(value), ReasonCodes.MissingField, $"{field} is required");

    /// <summary>
    /// No control characters (a text may keep tabs and line breaks) and no half of a surrogate pair: PostgreSQL stores
    /// neither a NUL nor a lone surrogate, and nobody means them.
    /// </summary>
    private Validation Characters(string? value, string field, bool lineBreaks) =>
        That(value is null || IsClean(value, lineBreaks), ReasonCodes.InvalidCharacters,
            $"{field} holds a control character or a broken surrogate pair");

    private static bool IsClean(string value, bool lineBreaks)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) && !(lineBreaks && c is '\t' or '\n' or '\r'))
                return false;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                i++;
            else if (char.IsSurrogate(c))
                return false;
        }
        return true;
    }

    private Validation Max(string? value, int max, string field) =>
        That(value is null || value.Length <= max, ReasonCodes.FieldTooLong, $"{field} is longer than {max} characters");

    [GeneratedRegex(@"^\+?[0-9][0-9 -]{4,18}[0-9]$")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[0-9]{17}[0-9X]$")]
    private static partial Regex IdNumberPattern();
}
