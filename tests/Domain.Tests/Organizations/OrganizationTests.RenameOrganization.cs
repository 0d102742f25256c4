namespace CoManagement.Domain.Tests.Organizations;

public partial class OrganizationTests
{
    private static RenameOrganization Rename => new(CommandId, DeptClerk, Now, StationId, "平凉市驻兰州流动党员服务中心", On(5, 1));

    [Fact]
    public void renaming_records_the_new_name()
    {
        var state = Given(Created).When(Rename).Then(new OrganizationRenamed(StationId, "平凉市驻兰州流动党员服务中心", On(5, 1)));

        state.Name.ShouldBe("平凉市驻兰州流动党员服务中心");
    }

    [Fact]
    public void renaming_to_the_same_name_is_nothing_to_do() =>
        Given(Created).When(Rename with { Name = Created.Name }).ThenNothing();

    [Fact]
    public void renaming_an_unknown_organisation_is_rejected() =>
        Given().When(Rename).ThenRejects(ReasonCodes.OrgNotFound);

    [Fact]
    public void renaming_a_closed_organisation_is_rejected() =>
        Given(Created, Closed).When(Rename).ThenRejects(ReasonCodes.OrgClosed);

    [Fact]
    public void a_command_for_another_organisation_is_rejected_as_the_wrong_stream() =>
        Given(Created).When(Rename with { OrganizationId = "other" }).ThenRejects(ReasonCodes.WrongStream);

    [Theory]
    [InlineData("no name", ReasonCodes.MissingField)]
    [InlineData("oversized name", ReasonCodes.FieldTooLong)]
    [InlineData("in the future", ReasonCodes.TimeInFuture)]
    public void renaming_with_bad_input_is_rejected(string @case, string code) =>
        Given(Created).When(@case switch
        {
            "no name" => Rename with { Name = "  " },
            "oversized name" => Rename with { Name = new string('名', 201) },
            "in the future" => Rename with { RenamedAt = Now.AddDays(1) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        }).ThenRejects(code);
}
