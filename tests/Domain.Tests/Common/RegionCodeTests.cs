using System.Text.Json;

namespace CoManagement.Domain.Tests.Common;

public class RegionCodeTests
{
    [Theory]
    [InlineData("110101", "11")]
    [InlineData("620802", "62")]
    [InlineData("441403", "44")]
    [InlineData("650102", "65")]
    [InlineData("710000", "71")]
    [InlineData("810000", "81")]
    [InlineData("820000", "82")]
    public void a_six_digit_code_with_a_province_prefix_is_valid(string value, string province)
    {
        RegionCode.TryParse(value, out var code).ShouldBeTrue();
        code.Value.ShouldBe(value);
        code.Province.ShouldBe(province);
        code.ToString().ShouldBe(value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("62080")]
    [InlineData("6208021")]
    [InlineData("62O802")]
    [InlineData(" 62080")]
    [InlineData("６２０８０２")]
    [InlineData("100000")]
    [InlineData("160000")]
    [InlineData("240000")]
    [InlineData("660000")]
    [InlineData("830000")]
    [InlineData("000000")]
    public void anything_else_is_rejected_with_a_reason(string? value)
    {
        RegionCode.IsValid(value).ShouldBeFalse();
        RegionCode.TryParse(value, out _).ShouldBeFalse();
        RegionCode.Validate(value, "destinationRegion", ReasonCodes.MemberInvalidRegionCode)!.Code.ShouldBe(ReasonCodes.MemberInvalidRegionCode);
        Should.Throw<FormatException>(() => RegionCode.Parse(value!));
    }

    [Fact]
    public void a_valid_code_passes_validation() =>
        RegionCode.Validate("620102", "destinationRegion", ReasonCodes.MemberInvalidRegionCode).ShouldBeNull();

    [Fact]
    public void codes_compare_by_value_and_by_province()
    {
        RegionCode.Parse("620102").ShouldBe(RegionCode.Parse("620102"));
        RegionCode.Parse("620102").InSameProvinceAs(RegionCode.Parse("620802")).ShouldBeTrue();
        RegionCode.Parse("620102").InSameProvinceAs(RegionCode.Parse("610113")).ShouldBeFalse();
    }

    [Fact]
    public void the_default_code_is_empty_and_in_no_province()
    {
        default(RegionCode).Value.ShouldBe("");
        default(RegionCode).Province.ShouldBe("");
        default(RegionCode).InSameProvinceAs(default).ShouldBeFalse();
    }

    [Fact]
    public void a_code_is_written_as_a_plain_string()
    {
        var json = JsonSerializer.Serialize(RegionCode.Parse("440103"));

        json.ShouldBe("\"440103\"");
        JsonSerializer.Deserialize<RegionCode>(json).ShouldBe(RegionCode.Parse("440103"));
    }
}
