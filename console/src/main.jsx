// Entry point: the styles, then the app into #app.
import { render } from 'preact';
import './styles.css';
import { App } from './ui/App.jsx';

render(<App />, globalThis.document.getElementById('app'));
