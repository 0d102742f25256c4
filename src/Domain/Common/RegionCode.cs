using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoManagement.Domain.Common;

/// <summary>
/// A 6-digit administrative region code (行政区划代码). The first two digits name the province; only the prefixes that
/// exist (11–65 has gaps, plus 71 Taiwan, 81 Hong Kong, 82 Macao) are accepted, so a typo is caught at the edge.
/// </summary>
[JsonConverter(typeof(RegionCodeJsonConverter))]
public readonly record struct RegionCode
{
    private static readonly FrozenSet<string> Provinces = new[]
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
        "71", "81", "82",
    }.ToFrozenSet();

    private readonly string? value;

    private RegionCode(string value) => this.value = value;

    public string Value => value ?? "";

    public string Province => Value.Length == 6 ? Value[..2] : "";

    public bool InSameProvinceAs(RegionCode other) => Province.Length > 0 && Province == other.Province;

    public static bool IsValid(string? value) =>
        value is { Length: 6 } && value.All(char.IsAsciiDigit) && Provinces.Contains(value[..2]);

    public static bool TryParse(string? value, out RegionCode code)
    {
        code = IsValid(value) ? new RegionCode(value!) : default;
        return IsValid(value);
    }

    /// <summary>For trusted input (stored events, fixtures); commands go through <see cref="Validate"/>.</summary>
    public static RegionCode Parse(string value) =>
        TryParse(value, out var code) ? code : throw new FormatException($"'{value}' is not a region code");

    public static Rejection? Validate(string? value, string field, string reasonCode) =>
        IsValid(value) ? null
        : new Rejection(reasonCode, $"{field} must be a 6-digit region code with a valid province prefix, got '{value}'");

    public override string ToString() => Value;
}

public sealed class RegionCodeJsonConverter : JsonConverter<RegionCode>
{
    public override RegionCode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        RegionCode.TryParse(reader.GetString(), out var code) ? code : throw new JsonException("invalid region code");

    public override void Write(Utf8JsonWriter writer, RegionCode value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
