using CoManagement.Host.Seeding;

namespace CoManagement.Seeding.Tests;

public sealed class The_seed_files
{
    [Fact]
    public void travel_with_the_binaries_unchanged_so_a_published_host_can_seed()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "seeds");
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "seeds"));
        Directory.Exists(repository).ShouldBeTrue(repository);

        foreach (var file in Directory.GetFiles(repository))
            File.ReadAllBytes(Path.Combine(beside, Path.GetFileName(file))).ShouldBe(File.ReadAllBytes(file), Path.GetFileName(file));
        DemoSeeder.CountMembers("demo", beside).ShouldBeGreaterThan(0);
    }
}
