namespace CoManagement.Domain.Common;

/// <summary>How ID and phone numbers are shown outside the owning organisation: enough to recognise, not to use.</summary>
public static class Masking
{
    public static string IdNumber(string? value) => Mask(value, keepStart: 6, keepEnd: 4);

    public static string Phone(string? value) => Mask(value, keepStart: 3, keepEnd: 4);

    private static string Mask(string? value, int keepStart, int keepEnd) =>
        string.IsNullOrEmpty(value) ? ""
        : value.Length <= keepStart + keepEnd ? new string('*', value.Length)
        : string.Concat(value.AsSpan(0, keepStart), new string('*', value.Length - keepStart - keepEnd), value.AsSpan(value.Length - keepEnd));
}
