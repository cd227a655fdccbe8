use crate::finding::Finding;
use crate::rules::readiness_probe_missing::check_probe;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a main container of a Deployment, StatefulSet, ReplicaSet,
    /// ReplicationController or DaemonSet that declares `ports` but has no `livenessProbe`
    /// (same scope as `readiness-probe-missing`). Off by default: a missing liveness probe
    /// is often deliberate — a badly tuned one restarts healthy pods under load.
    ///
    /// ## Why is this bad?
    /// A process that deadlocks without exiting is never restarted.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:1.4.2
    ///     ports: [{name: http, containerPort: 8080}]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///     livenessProbe:
    ///       httpGet: {path: /livez, port: http}
    ///       periodSeconds: 20
    /// ```
    pub struct LivenessProbeMissing {
        id: "liveness-probe-missing",
        severity: Info,
        summary: "Serving container without a liveness probe",
        group: "workloads",
        default_on: false,
    }
}

impl DocumentRule for LivenessProbeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        check_probe(cx, &Self::META, "livenessProbe", "liveness probe", out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn liveness() {
        let src = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      containers:\n        - name: db\n          image: x:1\n          ports: [{containerPort: 5432}]\n          readinessProbe: {tcpSocket: {port: 5432}}\n        - name: ok\n          image: x:1\n          ports: [{containerPort: 9187}]\n          livenessProbe: {tcpSocket: {port: 9187}}\n";
        // a probed main container gates the pod
        assert!(check(&LivenessProbeMissing, "s.yaml", src).is_empty());
        let src = src.replace(
            "livenessProbe: {tcpSocket: {port: 9187}}",
            "readinessProbe: {}",
        );
        let f = check(&LivenessProbeMissing, "s.yaml", &src);
        let lines: Vec<u32> = f.iter().map(|x| x.span.start.line).collect();
        assert_eq!(lines, [10, 14]);
    }
}
