using Relief.Intake;
using Relief.IntegrationTests.Infrastructure;

namespace Relief.IntegrationTests.Intake;

public sealed class IntakeFixture() : ServiceHostFixture<IntakeApi>("intakedb");
