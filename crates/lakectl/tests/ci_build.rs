//! `lakectl build`: a CodeBuild project declared as a kind, deployed, built and followed to its
//! end. The emulator's builds succeed at once without running anything; a failing build and its
//! phases are covered by the provider's request-asserting tests.

mod common;

use common::Sandbox;

fn ci_stack(stack: &str, prefix: &str) -> String {
    format!(
        r#"stack: {stack}
resources:
  ci_role:
    kind: iam.role
    properties:
      name: "{prefix}-${{env}}-ci"
      assume_role_policy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: codebuild.amazonaws.com}}
            Action: sts:AssumeRole
  ci:
    kind: codebuild.project
    properties:
      name: "{prefix}-${{env}}-ci"
      source:
        type: GITHUB
        location: https://github.com/mycompany/datalake.git
        buildspec: |
          version: 0.2
          phases:
            build:
              commands: [lakectl validate]
      source_version: main
      environment:
        image: aws/codebuild/standard:7.0
        variables: {{LAKECTL_ENV: "${{env}}"}}
      service_role: ${{ci_role.arn}}
      tags: {{component: ci}}
outputs:
  ci_project: ${{ci.name}}
"#
    )
}

#[test]
fn a_deployed_project_is_built_and_followed_to_its_end() {
    let sb = Sandbox::new(&["acme"]);
    // A stack without a project says so, and how to name one.
    let none = sb.run(&["build"]).expect_code(1);
    assert!(
        none.stderr.contains("has no CodeBuild project deployed")
            && none.stderr.contains("--project"),
        "{}",
        none.stderr
    );

    sb.write_stack(&ci_stack(&sb.stack, &sb.prefix));
    sb.run(&["deploy", "--yes"]).expect_code(0);
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);

    let built = sb.run(&["build"]).expect_code(0);
    let project = format!("{}-dev-ci", sb.prefix);
    assert!(
        built.stderr.contains(&format!("of {project} started"))
            && built.stderr.contains("BUILD SUCCEEDED")
            && built.stdout.contains("SUCCEEDED"),
        "{}{}",
        built.stdout,
        built.stderr
    );

    let missing = sb.run(&["build", "--project", "nope"]).expect_code(1);
    assert!(
        missing.stderr.contains("codebuild:StartBuild on nope"),
        "{}",
        missing.stderr
    );

    sb.run(&["destroy", "--yes"]).expect_code(0);
    sb.run(&["build"]).expect_code(1);
}
