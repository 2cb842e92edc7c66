//! The provider contract against the emulator (needs AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use aws_sdk_sfn::Client;
use lakectl_provider::AccountContext;
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::emulator;
use lakectl_provider_sfn::{SfnProvider, state_machine_arn};
use serde_json::{Value, json};
use std::sync::Arc;

struct StateMachines {
    raw: Client,
    account: AccountContext,
}

impl StateMachines {
    fn role(&self, name: &str) -> String {
        format!("arn:aws:iam::{}:role/{name}", self.account.account_id)
    }

    fn definition(result: &str) -> Value {
        json!({"Comment": "lakectl contract", "StartAt": "Done",
               "States": {"Done": {"Type": "Pass", "Result": result, "End": true}}})
    }
}

#[async_trait]
impl Subject for StateMachines {
    fn prefix(&self) -> &'static str {
        "lakectl-test-ingest"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "definition": Self::definition("v1"),
               "role_arn": self.role("lakectl-test-orchestrator"), "type": "STANDARD",
               "logging": {"level": "ERROR", "include_execution_data": true,
                           "log_group_arn": format!("arn:aws:logs:{}:{}:log-group:/lakectl-test/sfn:*",
                                                    self.account.region, self.account.account_id)},
               // Off here and turned on below: moto keeps tracing on when an update turns it
               // off (tests/requests.rs asserts that request).
               "tracing": false, "tags": {"team": "data"}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let mut s = self.full_spec(name);
        let mut steps = Vec::new();
        s["definition"] = Self::definition("v2");
        steps.push(("a state changed", s.clone()));
        s["role_arn"] = json!(self.role("lakectl-test-orchestrator-2"));
        steps.push(("another role", s.clone()));
        s["logging"] =
            json!({"level": "OFF", "include_execution_data": false, "log_group_arn": null});
        steps.push(("logging off", s.clone()));
        s["tracing"] = json!(true);
        steps.push(("tracing on", s.clone()));
        s["tags"] = json!({"team": "platform", "cost-center": "42"});
        steps.push(("a tag changed and one added", s));
        steps
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .update_state_machine()
            .state_machine_arn(state_machine_arn(&self.account, name))
            .definition(Self::definition("changed by hand").to_string())
            .send()
            .await
            .expect("out-of-band definition");
        vec!["definition".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_state_machine()
            .name(name)
            .definition(Self::definition("someone else's").to_string())
            .role_arn(self.role("someone"))
            .send()
            .await
            .expect("someone else's state machine");
    }
}

#[tokio::test]
async fn state_machines_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-sfn").await;
    let subject = StateMachines {
        raw: Client::new(&emu.config),
        account: emu.account.clone(),
    };
    contract::run(
        Arc::new(SfnProvider::new(&emu.config, &emu.account)),
        &subject,
    )
    .await;
}
